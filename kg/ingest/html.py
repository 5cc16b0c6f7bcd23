"""Extracts the article text of an HTML page: the report, without the page around it.

Government sites wrap a report in navigation, breadcrumbs (您的位置), share buttons,
print/close links, font-size toggles and footers. We drop the obvious chrome elements,
pick the block holding most paragraph text (the article), and keep paragraph breaks.
Table cells become tab-prefixed lines and rows are separated by blank lines, the same
shape the text and DOCX readers give 专栏 boxes.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

# Elements that never hold the article text.
CHROME_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
               "iframe", "button", "select", "input", "textarea", "svg", "canvas", "object", "template"]

# class/id fragments of page chrome (share bars, breadcrumbs, font-size toggles, menus).
# Not "zoom" or "content": Chinese government sites put the article itself in div#zoom.
CHROME_CLASS = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|bread|location|position|share|bdshare|jiathis|"
    r"footer|foot|header|head|sidebar|side|print|close|fontsize|font-size|font_size|toolbar|"
    r"comment|related|recommend|copyright|banner|login|search|ad|ads|qrcode|editor)([\s_-]|$)",
    re.I,
)

# A chrome-named element holding this much non-link text, or this many paragraphs of
# ten characters or more, is kept (see _is_chrome_element).
CHROME_MAX_TEXT = 200
CHROME_MAX_PARAGRAPHS = 3

BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tbody", "tr",
              "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "center", "dd", "dt", "dl"}
CONTAINER_TAGS = {"div", "section", "article", "main", "td", "body", "center", "font", "span"}
ROW_END = "\x1e"  # placeholder for the blank line after a table row
# How report titles end (…工作报告, …计划草案, …规划纲要).
TITLE_ENDINGS = ("报告", "草案", "纲要", "规划", "计划")
TITLE_SEPARATORS = re.compile(r"\s*[_|｜—-]\s*")


def extract_article_text(markup: str) -> str:
    """The report text of an HTML page, one paragraph per line."""
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_chrome_element):
        if not tag.decomposed:
            tag.decompose()
    body = soup.body or soup
    article = _densest_block(body)
    text = _block_text(article)
    headline = _headline(soup, article)
    if headline and headline not in text[:200] and not _opens_with_title(text):
        text = headline + "\n\n" + text
    return text


def _opens_with_title(text: str) -> bool:
    """Whether the article's first line is already the report's title (in bold, say):
    then the page's <title> ("海淀区政府工作报告_…") must not be put before it."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return len(first) <= 80 and first.endswith(TITLE_ENDINGS)


def _is_chrome_element(tag: Tag) -> bool:
    if tag.name in ("html", "body") or tag.attrs is None:
        return False
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    if not names.strip() or not CHROME_CLASS.search(names):
        return False
    # A class name is only a hint: the TRS CMS of many government sites puts the article
    # itself in div.trs_editor_view. Chrome is short or mostly links; a block with
    # several paragraphs or a page of its own text is the article (or holds it).
    if _text_length(tag) >= CHROME_MAX_TEXT:
        return False
    paragraphs = sum(1 for p in tag.find_all("p", limit=20) if _text_length(p) >= 10)
    return paragraphs < CHROME_MAX_PARAGRAPHS


def _densest_block(body: Tag) -> Tag:
    """The container whose paragraphs hold the most non-link text (Readability-style:
    each paragraph credits its parent fully and its grandparent by half)."""
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}

    def credit(node: object, amount: float) -> None:
        if isinstance(node, Tag):
            scores[id(node)] = scores.get(id(node), 0.0) + amount
            nodes[id(node)] = node

    for para in body.find_all(["p", "pre", "li", "td", "div", "h1", "h2", "h3"]):
        if para.name in ("div", "td") and para.find(["p", "div", "table"]):
            # text sitting directly in a container (<br>-separated) credits the container
            length = _direct_text_length(para)
            if length >= 10:
                credit(para, length)
                credit(para.parent, length / 2)
            continue
        length = _text_length(para)
        if length < 10:
            continue
        credit(para.parent, length)
        credit(para.parent.parent if para.parent is not None else None, length / 2)
    if not scores:
        return body
    return nodes[max(scores, key=scores.__getitem__)]


def _text_length(tag: Tag) -> int:
    total = len(tag.get_text(strip=True))
    links = sum(len(a.get_text(strip=True)) for a in tag.find_all("a"))
    return max(total - 2 * links, 0)


def _direct_text_length(tag: Tag) -> int:
    return sum(len(s.strip()) for s in tag.find_all(string=True, recursive=False))


def _block_text(block: Tag) -> str:
    """Text with a line break after each block element and each <br>; table cells as
    tab-prefixed lines with a blank line after each row."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if child.__class__.__name__ in ("Comment", "Doctype", "ProcessingInstruction"):
                    continue
                parts.append(re.sub(r"[ \t\r\n]+", " ", str(child)))
            elif isinstance(child, Tag):
                if child.name == "br":
                    parts.append("\n")
                elif child.name in ("td", "th"):
                    parts.append("\n\t")
                    walk(child)
                    parts.append("\n")
                elif child.name == "tr":
                    walk(child)
                    parts.append(ROW_END)
                elif child.name in BLOCK_TAGS:
                    parts.append("\n")
                    walk(child)
                    parts.append("\n")
                else:
                    walk(child)

    walk(block)
    lines = [line.strip(" ") for line in "".join(parts).split("\n")]
    text = re.sub(r"\n{2,}", "\n", "\n".join(lines))  # one paragraph per line, like DOCX
    return text.replace(ROW_END, "\n\n")


def _headline(soup: BeautifulSoup, article: Tag) -> str:
    """The page headline when it sits outside the article block (h1, else <title>)."""
    if article.find(["h1", "h2"]):
        return ""
    for h in soup.find_all(["h1", "h2"]):
        text = h.get_text(" ", strip=True)
        if 4 <= len(text) <= 80:
            return text
    if soup.title and soup.title.string:
        return TITLE_SEPARATORS.split(soup.title.string.strip())[0]
    return ""
