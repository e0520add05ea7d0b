"""Import pipeline: read a file, match it to a template, validate, write in one transaction.

Public entry points: `preview_file` (what would be imported), `import_file`
(do it), `undo_import` (remove what an import wrote) and `template_workbook`
(a blank XLSX template).
"""

from db.importing.load import ImportReport, import_file
from db.importing.preview import Preview, preview_file
from db.importing.templates import KINDS, template_workbook
from db.importing.undo import undo_import

__all__ = [
    "KINDS",
    "ImportReport",
    "Preview",
    "import_file",
    "preview_file",
    "template_workbook",
    "undo_import",
]
