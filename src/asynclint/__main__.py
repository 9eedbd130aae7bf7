"""`python -m asynclint`.

`python -m` puts the current directory first on the module path, and that is usually the
project being checked. Drop it before anything else is imported, so that a `click.py`,
`json.py` or `libcst.py` of the project is never imported in place of the library it names:
asynclint never runs the code it checks. (Modules imported while Python loads the `asynclint`
package itself come before this point: the `asynclint` command, or `python -P -m asynclint`,
leaves the current directory out altogether.)"""

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from asynclint.cli import main

if __name__ == "__main__":
    main()
