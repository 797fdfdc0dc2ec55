// The folder's entries as a virtualized list or grid (@tanstack/react-virtual): only the rows in view
// are in the DOM. Rows arrive a page at a time from the server (window.pcsList.put, sent by the state's
// `need` event) and live here, not in the Reflex state, so a page is sent once and a click re-renders
// only the rows in view. Selection comes in as props: a list of ids, or "all in this folder except …".
import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import FolderIcon from "lucide-react/dist/esm/icons/folder.mjs";
import FileTextIcon from "lucide-react/dist/esm/icons/file-text.mjs";
import FileArchiveIcon from "lucide-react/dist/esm/icons/file-archive.mjs";
import ImageIcon from "lucide-react/dist/esm/icons/image.mjs";
import FilmIcon from "lucide-react/dist/esm/icons/film.mjs";
import MusicIcon from "lucide-react/dist/esm/icons/music.mjs";
import FileIcon from "lucide-react/dist/esm/icons/file.mjs";
import UsersIcon from "lucide-react/dist/esm/icons/users.mjs";

export const PAGE = 100;
const LONG_PRESS_MS = 450;
const ICONS = {
  folder: FolderIcon,
  "file-text": FileTextIcon,
  "file-archive": FileArchiveIcon,
  image: ImageIcon,
  film: FilmIcon,
  music: MusicIcon,
  file: FileIcon,
};

function Icon({ item, size }) {
  const C = ICONS[item.icon] || FileIcon;
  const color = item.kind === "folder" ? "var(--accent-9)" : "var(--gray-11)";
  return <C size={size} color={color} style={{ flexShrink: 0 }} aria-hidden="true" />;
}

// One registry per page: the server's pages land here, the mounted list listens. The first page comes
// with the folder, often before the list is on the page: the last few are kept for it to pick up.
function registry() {
  if (!window.pcsList || !window.pcsList.recent) {
    window.pcsList = {
      listeners: new Set(),
      recent: [],
      put(msg) {
        this.recent.push(msg);
        if (this.recent.length > 8) this.recent.shift();
        for (const l of this.listeners) l(msg);
      },
    };
  }
  return window.pcsList;
}
if (typeof window !== "undefined") registry();

export function FileList(props) {
  const {
    folderId = "",
    total = 0,
    gen = 0,
    view = "list",
    selected = [],
    allMode = false,
    excluded = [],
    rowHeight = 52,
    onNeed,
    onRowClick,
    onToggle,
    onOpen,
    onLongPress,
  } = props;
  const cache = useRef(new Map()); // page number -> {gen, rows}
  const asked = useRef(new Map()); // page number -> gen asked for
  const folderRef = useRef(folderId);
  const [tick, setTick] = useState(0);
  const listRef = useRef(null);
  const [margin, setMargin] = useState(0);
  const [width, setWidth] = useState(1000);
  const press = useRef({ timer: 0, fired: false, x: 0, y: 0 });

  if (folderRef.current !== folderId) {
    folderRef.current = folderId;
    cache.current = new Map();
    asked.current = new Map();
  }

  useEffect(() => {
    const reg = registry();
    const listener = (msg) => {
      if (msg.folder !== folderRef.current) return;
      const first = Math.floor(msg.offset / PAGE);
      for (let p = 0; p * PAGE < msg.rows.length; p++) {
        // Answers may arrive out of order: one read before a live change never replaces one read after.
        const have = cache.current.get(first + p);
        if (!have || have.gen <= msg.gen) {
          cache.current.set(first + p, { gen: msg.gen, rows: msg.rows.slice(p * PAGE, (p + 1) * PAGE) });
        }
        if ((asked.current.get(first + p) ?? -1) <= msg.gen) asked.current.delete(first + p);
      }
      setTick((t) => t + 1);
    };
    reg.listeners.add(listener);
    for (const msg of reg.recent) listener(msg);
    return () => reg.listeners.delete(listener);
  }, []);

  const selectedSet = useMemo(() => new Set(allMode ? excluded : selected), [allMode, selected, excluded]);
  const isSelected = useCallback((id) => (allMode ? !selectedSet.has(id) : selectedSet.has(id)), [allMode, selectedSet]);
  const selecting = allMode || selected.length > 0;

  const grid = view === "grid";
  const cols = grid ? Math.max(2, Math.min(6, Math.floor(width / 170))) : 1;
  const count = grid ? Math.ceil(total / cols) : total;
  const size = grid ? 196 : rowHeight;

  useLayoutEffect(() => {
    const measure = () => {
      const el = listRef.current;
      if (!el) return;
      setMargin(el.getBoundingClientRect().top + window.scrollY);
      setWidth(el.clientWidth || 1000);
    };
    measure();
    const ro = new ResizeObserver(measure);
    if (listRef.current) ro.observe(listRef.current);
    if (listRef.current && listRef.current.parentElement) ro.observe(listRef.current.parentElement);
    return () => ro.disconnect();
  }, [view]);

  const virtualizer = useWindowVirtualizer({
    count,
    estimateSize: () => size,
    overscan: grid ? 3 : 12,
    scrollMargin: margin,
  });
  useEffect(() => virtualizer.measure(), [size, cols]);
  const vitems = virtualizer.getVirtualItems();

  const rowAt = (i) => {
    const page = cache.current.get(Math.floor(i / PAGE));
    return page ? page.rows[i % PAGE] : undefined;
  };

  // Ask for the pages in view that are missing or older than the listing (after a live change),
  // once scrolling pauses for a moment, so dragging the scrollbar past 1,000 pages asks for none of them.
  const first = vitems.length ? vitems[0].index * cols : 0;
  const last = vitems.length ? Math.min(total - 1, (vitems[vitems.length - 1].index + 1) * cols - 1) : -1;
  useEffect(() => {
    if (!onNeed || last < 0) return;
    const want = () => {
      for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) {
        const have = cache.current.get(p);
        if (have && have.gen >= gen) continue;
        if ((asked.current.get(p) ?? -1) >= gen) continue;
        asked.current.set(p, gen);
        onNeed(p * PAGE, gen);
      }
    };
    const fresh = !cache.current.size;
    const t = setTimeout(want, fresh ? 0 : 60);
    return () => clearTimeout(t);
  }, [first, last, gen, folderId, total, tick]); // tick: a page came, or the asks were forgotten

  // A page asked for but never answered (a dropped socket) is asked for again.
  useEffect(() => {
    const t = setInterval(() => {
      if (asked.current.size) {
        asked.current = new Map();
        setTick((x) => x + 1);
      }
    }, 5000);
    return () => clearInterval(t);
  }, []);

  // End and Home jump straight to the last or first row, however long the folder.
  useEffect(() => {
    const onKey = (e) => {
      if (e.key !== "End" && e.key !== "Home") return;
      const t = e.target;
      if (t.closest && t.closest("input, textarea, select, [role=dialog], [contenteditable=true]")) return;
      if (!total) return;
      e.preventDefault();
      if (e.key === "End") {
        virtualizer.scrollToIndex(count - 1, { align: "end" });
        window.scrollTo(0, document.documentElement.scrollHeight);
      } else {
        window.scrollTo(0, 0);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [count, total]);

  // Touch: a long press selects (and stops the click after it); further taps then add or remove.
  const touchStart = (item, index) => (e) => {
    const t = e.touches && e.touches[0];
    press.current.fired = false;
    press.current.x = t ? t.clientX : 0;
    press.current.y = t ? t.clientY : 0;
    clearTimeout(press.current.timer);
    press.current.timer = setTimeout(() => {
      press.current.fired = true;
      if (navigator.vibrate) navigator.vibrate(15);
      if (onLongPress) onLongPress(item.id, index);
    }, LONG_PRESS_MS);
  };
  const touchMove = (e) => {
    const t = e.touches && e.touches[0];
    if (t && Math.hypot(t.clientX - press.current.x, t.clientY - press.current.y) > 10) clearTimeout(press.current.timer);
  };
  const touchEnd = () => clearTimeout(press.current.timer);
  const touchy = useRef(false);

  // A click right after a long press is the press's own (it selected): swallowed. While selecting by
  // touch, a tap adds or removes. Otherwise the click does ``act``.
  const tap = (item, index, act) => (e) => {
    if (press.current.fired) {
      press.current.fired = false;
      e.preventDefault();
      return;
    }
    if (touchy.current && selecting) {
      onToggle && onToggle(item.id, index);
      return;
    }
    act(e);
  };
  const rowClick = (item, index) =>
    tap(item, index, (e) => onRowClick && onRowClick(item.id, index, !!e.shiftKey, !!(e.ctrlKey || e.metaKey)));
  const nameClick = (item, index) => {
    const run = tap(item, index, () => onOpen && onOpen(item.id));
    return (e) => {
      e.stopPropagation();
      run(e);
    };
  };

  const rowProps = (item, index, sel) => ({
    "data-node-id": item.id,
    "data-kind": item.kind,
    "data-drop-folder": item.kind === "folder" ? item.id : undefined,
    "data-selected": sel ? "true" : "false",
    "data-index": index,
    "aria-selected": sel,
    draggable: true,
    onClick: rowClick(item, index),
    onDoubleClick: () => onOpen && onOpen(item.id),
    onTouchStart: touchStart(item, index),
    onTouchMove: touchMove,
    onTouchEnd: touchEnd,
    onTouchCancel: touchEnd,
    onPointerDown: (e) => {
      touchy.current = e.pointerType === "touch";
    },
    onContextMenu: (e) => {
      if (touchy.current) e.preventDefault();
    },
  });

  const check = (item, index, sel) => (
    <label className="pcs-check-hit" onClick={(e) => e.stopPropagation()}>
      <input
        type="checkbox"
        className="pcs-check-box"
        checked={sel}
        aria-label={"Select " + item.name}
        onChange={() => onToggle && onToggle(item.id, index)}
      />
    </label>
  );

  const name = (item, index) => (
    <button type="button" className="pcs-name" title={item.name} onClick={nameClick(item, index)}>
      {item.name}
    </button>
  );
  const sharedMark = (item) =>
    item.shared === "1" ? (
      <UsersIcon size={14} color="var(--accent-11)" className="pcs-shared" aria-label="Shared" role="img" style={{ flexShrink: 0 }} />
    ) : null;

  const listRow = (v) => {
    const index = v.index;
    const item = rowAt(index);
    const style = { transform: `translateY(${v.start - virtualizer.options.scrollMargin}px)`, height: size };
    if (!item) {
      return (
        <div key={v.key} className="pcs-vrow pcs-vrow-wait" style={style} data-index={index} aria-hidden="true">
          <span className="pcs-skeleton" />
        </div>
      );
    }
    const sel = isSelected(item.id);
    return (
      <div key={v.key} role="row" className="pcs-row pcs-vrow" style={style} {...rowProps(item, index, sel)}>
        <div role="gridcell" className="pcs-cell-check">{check(item, index, sel)}</div>
        <div role="gridcell" className="pcs-cell-name">
          <Icon item={item} size={20} />
          <div className="pcs-name-box">
            <div className="pcs-name-line">
              {name(item, index)}
              {sharedMark(item)}
            </div>
            <div className="pcs-meta-m">{item.kind === "folder" ? item.modified : item.size + " · " + item.modified}</div>
          </div>
        </div>
        <div role="gridcell" className="pcs-cell-size">{item.size}</div>
        <div role="gridcell" className="pcs-cell-mod" title={item.modified_iso}>{item.modified}</div>
      </div>
    );
  };

  const card = (index) => {
    const item = rowAt(index);
    if (!item) return <div key={index} className="pcs-card pcs-vrow-wait" aria-hidden="true" />;
    const sel = isSelected(item.id);
    return (
      <div key={item.id} className="pcs-row pcs-card" {...rowProps(item, index, sel)}>
        <div className="pcs-card-check">{check(item, index, sel)}</div>
        <div className="pcs-card-thumb">
          {item.thumb ? <img src={item.thumb} alt="" loading="lazy" /> : <Icon item={item} size={44} />}
        </div>
        <div className="pcs-name-line">
          {name(item, index)}
          {sharedMark(item)}
        </div>
        <div className="pcs-meta">{item.kind === "folder" ? "Folder" : item.size}</div>
      </div>
    );
  };

  const gridRow = (v) => {
    const style = { transform: `translateY(${v.start - virtualizer.options.scrollMargin}px)`, height: size, gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` };
    const cards = [];
    for (let c = 0; c < cols; c++) {
      const i = v.index * cols + c;
      if (i < total) cards.push(card(i));
    }
    return (
      <div key={v.key} className="pcs-vgrid-row" style={style} role="row">
        {cards}
      </div>
    );
  };

  return (
    <div
      ref={listRef}
      id={grid ? "file-grid" : "file-rows"}
      className={grid ? "pcs-vlist pcs-vgrid" : "pcs-vlist"}
      role={grid ? "grid" : "rowgroup"}
      aria-rowcount={total}
      data-total={total}
      data-loaded={cache.current.size}
      style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}
    >
      {vitems.map(grid ? gridRow : listRow)}
    </div>
  );
}
