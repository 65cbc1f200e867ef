"""The cell outputs of the book's static widgets (booktools.widgets.common.ImagesThenHTML:
the static explorer, the curves explorer, the lab's races), as IPython publishes them and as
the book and JupyterLab lay them out, for the tests that run the widgets in Chromium."""

import base64
import hashlib
import shutil

import pytest


def cell_outputs(widget, *, last_expression=False):
    """The output bundles of a cell that shows ``widget``: ``display(widget)`` or, with
    ``last_expression``, the widget as the cell's last expression."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    # display() publishes bundles only inside a shell: a temporary one, so that no later
    # test runs "inside IPython"
    fresh = not InteractiveShell.initialized()
    try:
        shell = InteractiveShell.instance()
        with capture_output() as captured:
            if last_expression:
                shell.user_ns["_widget_under_test"] = widget
                result = shell.run_cell("_widget_under_test")
                result.raise_error()
            else:
                display(widget)
    finally:
        if fresh:
            InteractiveShell.clear_instance()
    return [o.data for o in captured.outputs]


def png_of(bundle) -> bytes:
    """The PNG bytes of an ``image/png`` output bundle (IPython may give them as base64)."""
    got = bundle["image/png"]
    return base64.b64decode(got) if isinstance(got, str) else got


def assert_one_picture_then_html(widget, *, last_expression=False):
    """The contract of a one-picture widget: one image/png output (myst-nb writes it to a file
    under _images/), then its HTML, whether the cell calls display() or ends with the widget."""
    outputs = cell_outputs(widget, last_expression=last_expression)
    assert len(outputs) == 2, [sorted(o) for o in outputs]
    assert "image/png" in outputs[0] and "text/html" not in outputs[0]
    assert png_of(outputs[0]) == widget.png
    assert outputs[1]["text/html"] == widget.html and "image/png" not in outputs[1]
    assert 'data-backgrounds="1"' in widget.html
    assert not hasattr(widget, "_repr_html_"), "an HTML repr alone would show no picture"


def book_cell(widgets, images_dir):
    """A cell's output as myst-nb writes it: each widget's image outputs as files under
    _images/ (named by their hash, linked relative to the page), then its HTML output."""
    images_dir.mkdir(exist_ok=True)
    parts = []
    for widget in widgets:
        for png in widget.images:
            name = hashlib.sha256(png).hexdigest() + ".png"
            (images_dir / name).write_bytes(png)
            parts.append(f'<img alt="../_images/{name}" src="../_images/{name}" />\n')
        parts.append(f'<div class="output text_html">{widget.html}</div>\n')
    return ('<div class="cell docutils container"><div class="cell_output docutils container">\n'
            f'{"".join(parts)}</div></div>')


def jupyterlab_cell(widgets):
    """A cell's output area as JupyterLab renders it: inline data URLs, one child each."""
    child = '<div class="jp-OutputArea-child"><div class="jp-OutputArea-output {}">{}</div></div>'
    parts = []
    for widget in widgets:
        parts += [child.format("", '<img src="data:image/png;base64,'
                               f'{base64.b64encode(png).decode()}">') for png in widget.images]
        parts.append(child.format("jp-RenderedHTMLCommon", widget.html))
    return f'<div class="jp-Cell"><div class="jp-OutputArea">{"".join(parts)}</div></div>'


def cell(layout, widgets, images_dir):
    """One cell showing ``widgets`` (in that order) in ``layout``: "book" or "jupyterlab"."""
    return book_cell(widgets, images_dir) if layout == "book" else jupyterlab_cell(widgets)


#: Evaluated on a widget's root: the images of its cell's output outside the widget (their
#: src and whether they are hidden) and the picture the widget shows (src, loaded, alt).
BACKGROUNDS = """root => {
  const area = root.closest('.cell_output, .jp-OutputArea');
  const outside = Array.from(area.querySelectorAll('img'))
    .filter(i => !i.closest('.booktools-race, .booktools-static-explorer, .booktools-curves-explorer'));
  const shown = root.querySelector('.bt-img');
  return {outside: outside.map(i => i.getAttribute('src')),
          hidden: outside.map(i => i.getClientRects().length === 0),
          src: shown.getAttribute('src'), alt: shown.getAttribute('alt'),
          loaded: shown.complete && shown.naturalWidth > 0,
          natural: [shown.naturalWidth, shown.naturalHeight]};
}"""


def chromium_or_skip():
    """The Chromium executable for playwright, or skip the test."""
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    if chromium is None:
        pytest.skip("Chromium not installed")
    return chromium


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def watch(page, errors):
    """Collect the page's script errors, console errors and any non-local request."""
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: errors.append("request " + r.url)
            if not r.url.startswith(("file:", "data:")) else None)
