"""An SVG badge of a product version's certification verdict (shields-style, no external assets)."""

from html import escape

from avocado_cert.report.html import VERDICT_COLORS

UNKNOWN_COLOR = "#9e9e9e"
CHAR_WIDTH = 7  # Verdana 11px averages about 7 px a character


def render(label, verdict):
    message = verdict or "not certified"
    color = VERDICT_COLORS.get(verdict, UNKNOWN_COLOR)
    left = 10 + CHAR_WIDTH * len(label)
    right = 10 + CHAR_WIDTH * len(message)
    width = left + right
    label_e, message_e = escape(label, quote=True), escape(message, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label_e}: {message_e}"><title>{label_e}: {message_e}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{message_e}</text></g></svg>'
    )
