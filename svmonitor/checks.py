"""System checks: workbook import is only safe when openpyxl parses XML through defusedxml; a
server's accessibility statement needs somewhere to report a problem."""

from django.conf import settings
from django.core.checks import Error, Warning, register


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


@register(deploy=True)
def check_accessibility_contact(app_configs=None, **kwargs):
    """W010 (check --deploy) when the accessibility statement has no contact address."""
    if settings.ACCESSIBILITY_CONTACT_EMAIL:
        return []
    return [
        Warning(
            "ACCESSIBILITY_CONTACT_EMAIL is not set, so the accessibility statement "
            "(/accessibility/) gives no address to report a problem or ask for another format.",
            hint="Set ACCESSIBILITY_CONTACT_EMAIL and SERVICE_OPERATOR (docs/deploy.md).",
            id="svmonitor.W010",
        )
    ]
