"""System checks: workbook import is only safe when openpyxl parses XML through defusedxml."""

from django.core.checks import Error, register


def defusedxml_in_use() -> bool:
    """Whether defusedxml is installed and openpyxl has picked it up (it does so on import)."""
    try:
        import defusedxml  # noqa: F401
        import openpyxl.xml
    except ImportError:
        return False
    return bool(getattr(openpyxl.xml, "DEFUSEDXML", False))


@register()
def check_defusedxml(app_configs=None, **kwargs):
    """E001 when openpyxl would parse uploaded XML without defusedxml."""
    if defusedxml_in_use():
        return []
    return [
        Error(
            "openpyxl is not using defusedxml, so uploaded workbooks could expand XML entities.",
            hint="pip install 'defusedxml>=0.7.1' (it is in pyproject.toml).",
            id="svmonitor.E001",
        )
    ]
