"""The DfE monitoring report as an editable Word document (issue 16.3): python-docx filling a
template .docx whose styles the council may change (template.py), from the same report context
as the PDF (render.py)."""
