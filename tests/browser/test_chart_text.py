"""Charts read on a phone: the text and the trigger symbols as Chromium draws them at 390 px."""

from playwright.sync_api import Page, expect

# Each chart's SVG put into the page at the width its <img> is shown at: the size of each text
# (its font size times the scale the browser draws it at) and of each trigger symbol (the
# markers with a white edge; the daily dots, thin and many, are data, not symbols). The font
# size is read from the SVG's own style attribute: the page's Content-Security-Policy keeps such
# attributes from applying to an SVG put into the page, though not in the <img> itself.
MEASURE = r"""async (img) => {
  const response = await fetch(img.currentSrc || img.src);
  const parsed = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
  const svg = document.adoptNode(parsed.documentElement);
  const shown = img.getBoundingClientRect().width;
  svg.setAttribute("width", shown + "px");
  svg.removeAttribute("height");
  svg.style.position = "absolute";
  svg.style.left = "0";
  svg.style.top = "0";
  document.body.appendChild(svg);
  const texts = [...svg.querySelectorAll("text")].map((text) => {
    const matrix = text.getScreenCTM();
    const size = /font-size: ([\d.]+)px/.exec(text.getAttribute("style"))[1];
    return parseFloat(size) * Math.hypot(matrix.a, matrix.b);
  });
  const symbols = [...svg.querySelectorAll("use")]
    .filter((use) => (use.getAttribute("style") || "").includes("stroke: #ffffff"))
    .map((use) => {
      const box = use.getBoundingClientRect();
      return Math.max(box.width, box.height);
    });
  svg.remove();
  return {shown, texts, symbols};
}"""


def measure(page: Page) -> list[dict]:
    found = []
    for image in page.locator("figure.chart img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        found.append({"src": image.get_attribute("src"), **image.evaluate(MEASURE)})
    return found


def test_chart_text_is_at_least_12_px_and_symbols_10_px_on_a_390_px_phone(page: Page, maya, shot):
    page.goto(f"/children/{maya.pk}/trends/")
    charts = measure(page)
    page.goto(f"/children/{maya.pk}/")
    charts += measure(page)

    assert len(charts) == 5  # four on Trends, the score chart on the dashboard
    for chart in charts:
        assert 300 <= chart["shown"] <= 390, chart["src"]
        assert chart["texts"], chart["src"]
        assert min(chart["texts"]) >= 12, (chart["src"], min(chart["texts"]))
    symbols = [size for chart in charts for size in chart["symbols"]]
    assert len(symbols) >= 4  # the demo's last 3 months have triggers, in chart and legend
    assert min(symbols) >= 10, min(symbols)
    page.goto(f"/children/{maya.pk}/trends/")
    shot(page, "trends-3m-phone-text")
