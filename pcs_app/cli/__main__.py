"""`python -m pcs_app.cli …`"""

from . import main

main()
