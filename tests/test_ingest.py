"""Reading report files: each format from real report passages, and every bad input."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from kg.ingest import DocumentError, read_document
from kg.ingest.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[1]
SEED_PLAN = ROOT / "data" / "000_418089195a410d60.txt"
SEED_GWR = ROOT / "data" / "002_772683341a126a07.txt"
CORPUS_DOCX = Path("/work/shared/corpus/provinces-2025-docx/anhui-2025.docx")

# Real passages (seed 000 and 002) used to build fixtures in every format.
TITLE = "重庆市武隆区人民政府工作报告"
HEADING = "一、2023年工作回顾"
PASSAGE = "全年实现地区生产总值273.46亿元、同比增长5.5%；其中，一、二、三产业增加值分别增长4.8%、6.3%和5.1%。"
PLAN_PASSAGE = "二、2024年工作安排"


# -- formats ---------------------------------------------------------------------------


def test_seed_text_is_read_as_utf8_and_keeps_chinese_punctuation():
    source = read_document(SEED_PLAN)
    assert source.format == "txt"
    assert source.encoding == "utf-8"
    assert source.source_file == "000_418089195a410d60.txt"
    assert "全年实现地区生产总值273.46亿元、同比增长5.5%；" in source.text
    assert "三次产业结构比调整为12.1：38.1：49.8。" in source.text  # full-width colon kept
    assert "\r" not in source.text and "\n\n\n" not in source.text


def test_seed_with_half_width_punctuation_keeps_it_and_drops_page_chrome():
    source = read_document(SEED_GWR)
    assert "现在,我代表区人民政府向大会报告工作" in source.text  # ASCII comma as written
    assert "您的位置" not in source.text and "阅读量" not in source.text
    assert "[打印]" not in source.text and "责任编辑" not in source.text
    assert "重庆市武隆区人民政府区长 左军" in source.text  # "左 军" letter-spacing removed


def test_wrapped_table_cells_of_the_seed_are_joined():
    text = read_document(SEED_PLAN).text
    assert "\t西部陆海新通道建设\n\t开通" in text
    assert "\t数字重庆两级治理中心建设\n" in text


@pytest.mark.parametrize("encoding, expected", [
    ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("big5", "big5"),
])
def test_text_encoding_is_detected_from_the_bytes(tmp_path, encoding, expected):
    text = f"{TITLE}\n\n{HEADING}\n{PASSAGE}\n"
    if encoding == "big5":
        text = "各位代表：現在，我代表區人民政府向大會報告工作，請予審議。全年實現地區生產總值273.46億元。\n"
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    source = read_document(path)
    assert source.encoding == expected
    assert source.text == normalize_text(text)


def test_utf16_without_nul_bytes_is_still_detected(tmp_path):
    # Han characters only (no ASCII, no newline): no NUL byte gives UTF-16 away
    path = tmp_path / "title.txt"
    path.write_bytes(TITLE.encode("utf-16-le"))
    source = read_document(path)
    assert (source.text, source.encoding) == (TITLE + "\n", "utf-16-le")


def test_html_saved_as_txt_is_sniffed_as_html(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(f"<!DOCTYPE html><html><body><div><p>{HEADING}</p><p>{PASSAGE}</p></div></body></html>",
                    encoding="utf-8")
    source = read_document(path)
    assert source.format == "html"
    assert source.text == f"{HEADING}\n{PASSAGE}\n"


def test_html_page_gives_article_text_without_page_chrome(tmp_path):
    page = f"""<html><head><title>{TITLE}_武隆区人民政府</title><script>var x = 1;</script></head>
    <body>
      <div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a></div>
      <nav><ul><li><a href="/">网站首页</a></li><li><a href="/x">新闻中心</a></li></ul></nav>
      <div class="breadcrumb">您的位置：首页 &gt; 政务公开 &gt; 政府工作报告</div>
      <div class="main">
        <h1>{TITLE}</h1>
        <div class="info">来源：区政府办公室　阅读量：1234</div>
        <div class="fontsize">字号：[大] [中] [小]</div>
        <div id="zoom" class="article-content">
          <p>——2024年1月31日在重庆市武隆区第十九届人民代表大会第四次会议上</p>
          <p>各位代表：</p>
          <p>现在，我代表区人民政府向大会报告工作，请予审议，并请区政协委员和其他列席人员提出意见。</p>
          <p>{HEADING}</p>
          <p>{PASSAGE}</p>
          <p>{PLAN_PASSAGE}</p>
          <table><tr><td>专栏1 落实重大战略2024年重点任务</td></tr>
                 <tr><td>成渝地区双城经济圈建设</td><td>重大项目：白马航电、银盘抽水蓄能等。</td></tr></table>
        </div>
        <div class="share">分享到：微信 微博</div>
        <p>【打印】 【关闭窗口】</p>
        <p>责任编辑：张三</p>
      </div>
      <aside>相关新闻 <a href="/n1">某区召开会议</a></aside>
      <footer>版权所有：重庆市武隆区人民政府 渝ICP备00000000号</footer>
    </body></html>"""
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    source = read_document(path)
    text = source.text
    assert source.format == "html"
    assert text.startswith(TITLE + "\n")  # the headline outside the article block is kept
    assert f"\n{HEADING}\n{PASSAGE}\n{PLAN_PASSAGE}\n" in text  # paragraph breaks kept
    assert "\t成渝地区双城经济圈建设\n\t重大项目：" in text  # table cells as tab-prefixed lines
    for chrome in ("您的位置", "网站首页", "阅读量", "字号", "分享到", "打印", "关闭窗口", "责任编辑",
                   "版权所有", "相关新闻", "var x"):
        assert chrome not in text, chrome


def test_html_gbk_page_is_decoded(tmp_path):
    path = tmp_path / "report.htm"
    path.write_bytes(f"<html><body><p>{HEADING}</p><p>{PASSAGE}</p></body></html>".encode("gbk"))
    source = read_document(path)
    assert (source.format, source.encoding) == ("html", "gb18030")
    assert PASSAGE in source.text


def test_docx_keeps_paragraphs_and_table_rows_in_document_order(tmp_path):
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(PLAN_PASSAGE)
    document.add_paragraph("专栏1 落实重大战略2024年重点任务")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "成渝地区双城经济圈建设"
    table.cell(0, 1).text = "重大项目：白马航电、银盘抽水蓄能等。"
    table.cell(1, 0).text = "西部陆海新通道建设"
    table.cell(1, 1).text = "开通鸭江火车站80万吨货运业务。"
    document.add_paragraph("（二）坚持旅游引领，推动“三次创业”走向深入。")
    path = tmp_path / "report.docx"
    document.save(path)
    source = read_document(path)
    assert source.format == "docx" and source.encoding is None
    assert source.text == (
        f"{TITLE}\n{PLAN_PASSAGE}\n专栏1 落实重大战略2024年重点任务\n\n"
        "\t成渝地区双城经济圈建设\n\t重大项目：白马航电、银盘抽水蓄能等。\n\n"
        "\t西部陆海新通道建设\n\t开通鸭江火车站80万吨货运业务。\n\n"
        "（二）坚持旅游引领，推动“三次创业”走向深入。\n")


def _w(tag: str, parent=None, text: str | None = None, **attrs):
    from docx.oxml.ns import qn
    from lxml import etree

    element = etree.Element(qn(tag)) if parent is None else etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    if text is not None:
        element.text = text
    return element


def test_docx_tracked_changes_text_boxes_and_content_controls(tmp_path):
    # Reports passed between offices carry tracked changes; a 专栏 may be drawn as a text
    # box; templates wrap text in content controls. python-docx's Paragraph.text loses all.
    document = docx.Document()
    para = document.add_paragraph("全年实现地区生产总值")
    inserted = _w("w:ins", para._p, id="1", author="审核")
    _w("w:t", _w("w:r", inserted), "273.46亿元、同比增长5.5%")
    deleted = _w("w:del", para._p, id="2", author="审核")
    _w("w:delText", _w("w:r", deleted), "270亿元")
    _w("w:t", _w("w:r", para._p), "。")
    anchor = document.add_paragraph("（二）坚持旅游引领，推动“三次创业”走向深入。")
    box = _w("w:txbxContent", _w("w:pict", _w("w:r", anchor._p)))
    for line in ("专栏1 落实重大战略2024年重点任务", "重大项目：白马航电、银盘抽水蓄能等。"):
        _w("w:t", _w("w:r", _w("w:p", box)), line)
    control = _w("w:sdt")
    _w("w:t", _w("w:r", _w("w:p", _w("w:sdtContent", control))), PLAN_PASSAGE)
    document.element.body.insert(len(document.element.body) - 1, control)  # before sectPr
    path = tmp_path / "report.docx"
    document.save(path)
    assert read_document(path).text == (
        "全年实现地区生产总值273.46亿元、同比增长5.5%。\n"
        "（二）坚持旅游引领，推动“三次创业”走向深入。\n"
        "专栏1 落实重大战略2024年重点任务\n重大项目：白马航电、银盘抽水蓄能等。\n"
        f"{PLAN_PASSAGE}\n")


def test_real_provincial_docx_is_read():
    source = read_document(CORPUS_DOCX)
    assert source.format == "docx"
    assert source.text.startswith("2025年安徽省政府工作报告\n")
    assert "\n一、2024年工作回顾\n" in source.text  # the leading no-break space is gone
    assert "来源：省政府政策研究室" not in source.text  # page chrome line dropped
    assert len(source.text) > 15000


def _write_pdf(path: Path, lines: list[str]) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built-in CID font, no font file
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        pdf.drawString(40, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()


def test_pdf_text_layer_is_read(tmp_path):
    path = tmp_path / "report.pdf"
    _write_pdf(path, [TITLE, HEADING, PASSAGE])
    source = read_document(path)
    assert source.format == "pdf"
    assert source.text == f"{TITLE}\n{HEADING}\n{PASSAGE}\n"


def test_pdf_sniffed_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "report.txt"
    _write_pdf(path, [TITLE, PASSAGE])
    source = read_document(path)
    assert source.format == "pdf" and PASSAGE in source.text


def _write_wrapped_pdf(path: Path, paragraphs: list[str]) -> None:
    """A typeset PDF: paragraphs wrapped at the page edge, first lines indented, and a page
    number at the foot of every page, as report PDFs are."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK",
                           firstLineIndent=24)

    def page_number(pdf, document) -> None:
        pdf.setFont("STSong-Light", 10)
        pdf.drawCentredString(300, 30, f"- {document.page} -")

    escaped = [p.replace("&", "&amp;").replace("<", "&lt;") for p in paragraphs]  # Paragraph reads markup
    SimpleDocTemplate(str(path)).build([Paragraph(p, style) for p in escaped],
                                       onFirstPage=page_number, onLaterPages=page_number)


def test_pdf_lines_wrapped_at_the_page_edge_are_joined_into_paragraphs(tmp_path):
    seed = read_document(SEED_GWR).text
    paragraphs = [line for line in seed.splitlines() if line.strip() and not line.startswith("\t")][:60]
    path = tmp_path / "report.pdf"
    _write_wrapped_pdf(path, paragraphs)
    text = read_document(path).text
    assert len(PdfReader(path).pages) > 3
    # every paragraph comes back whole: no sentence, name or unit cut at a line or page end
    missing = [p for p in paragraphs if p not in text.splitlines()]
    assert not missing, missing[:3]
    assert "- 2 -" not in text and "\n2\n" not in text  # page numbers are not report text


def test_pdf_line_ending_a_sentence_or_followed_by_a_heading_is_not_joined():
    from kg.ingest.pdf import join_wrapped_lines

    full = "全区经济基本面有效回升、持续好转，经济社会发展稳中有进、进中有效，全年实现地区"
    page = "\n".join([full, "生产总值273.46亿元。", full[:-2] + "。", full, "（二）切实扩大内需。",
                      full, " 一是有效投资持续扩大。"])
    assert join_wrapped_lines([page, "- 1 -\n" + full]) == "\n".join([
        full + "生产总值273.46亿元。", full[:-2] + "。", full, "（二）切实扩大内需。", full,
        "一是有效投资持续扩大。", "", full])


# -- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize("raw, clean", [
    ("全年实现地区生产总值２７３．４６亿元、同比增长５．５％", "全年实现地区生产总值273.46亿元、同比增长5.5%"),
    ("政 府 工 作 报 告", "政府工作报告"),
    ("重庆市武隆区人民政府区长 左 军", "重庆市武隆区人民政府区长 左军"),
    ("国务院总理　\n李　强", "国务院总理\n李强"),
    ("“世界自然遗产 天地大美武隆”", "“世界自然遗产 天地大美武隆”"),  # a slogan's space stays
    ("（一）宏观形势判断。", "（一）宏观形势判断。"),  # Chinese punctuation as written
    ("现在,我代表区人民政府向大会报告工作:", "现在,我代表区人民政府向大会报告工作:"),
    ("一、 2024 年工作回顾", "一、2024年工作回顾"),
    ("专栏1  落实重大战略2024年重点任务", "专栏1 落实重大战略2024年重点任务"),
    ("旅游\u200b综合收入\ufeff217亿元", "旅游综合收入217亿元"),
    ("第一段\r\n\r\n\r\n\r\n第二段\r第三段", "第一段\n\n第二段\n第三段"),
    ("本作品是中华人民共和国的\n法律\n、\n法规\n，国家机关的决议", "本作品是中华人民共和国的\n法律、法规，国家机关的决议"),
    ("\u3000\u3000现在，我代表省人民政府", "现在，我代表省人民政府"),
    ("服务产业＋旅游融合", "服务产业+旅游融合"),
    # a Word PDF's text layer: Kangxi radicals for 行 and 生, a compatibility ideograph
    ("\u2f8f政审批服务，民\u2f63实事", "行政审批服务，民生实事"),
    ("\uf9fb", "炙"),
])
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean + "\n"


def test_licence_trailer_of_wikisource_text_is_cut():
    body = "\n".join(["各位代表：", "现在，我代表国务院向大会作政府工作报告。"] * 10)
    text = normalize_text(body + "\n本作品是中华人民共和国的\n法律\n、\n法规\n，根据著作权法属于公有领域。")
    assert text.endswith("现在，我代表国务院向大会作政府工作报告。\n")


# -- bad input -------------------------------------------------------------------------


def _error(path: Path, **kwargs) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert info.value.path == path
    return info.value.reason


def test_empty_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"")
    assert _error(path) == "empty file"


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(" \n\u3000\u3000\n\t\n", encoding="utf-8")
    assert _error(path) == "empty file (only whitespace)"


def test_missing_file(tmp_path):
    assert _error(tmp_path / "nope.txt") == "file not found"


def test_binary_content(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(bytes(range(1, 32)) * 50 + "全年实现地区生产总值".encode())
    assert _error(path).startswith("binary content")


def test_nul_bytes_that_are_not_utf16(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"\x00\x01\x02\x03\xfe\xfd" * 200)
    assert _error(path).startswith("binary content")


def test_undecodable_encoding(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes("全年实现".encode("utf-8") + b"\x80\x81\x8d\x8f\x90\x9d" * 50)
    assert _error(path).startswith("undecodable text")


@pytest.mark.parametrize("magic, reason", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported file type: PNG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "unsupported file type: legacy Office file"),
])
def test_unsupported_binary_types(tmp_path, magic, reason):
    path = tmp_path / "report.doc"
    path.write_bytes(magic)
    assert _error(path).startswith(reason)


def test_xlsx_is_unsupported(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert _error(path) == "unsupported file type: Excel workbook (.xlsx)"


def test_truncated_docx_is_corrupt(tmp_path):
    document = docx.Document()
    document.add_paragraph(PASSAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "report.docx"
    path.write_bytes(buffer.getvalue()[:2000])
    assert _error(path).startswith("corrupt DOCX")


def test_docx_without_document_part_is_corrupt(tmp_path):
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert _error(path) == "corrupt DOCX: zip archive without word/document.xml"


def test_docx_with_broken_xml_is_corrupt(tmp_path):
    document = docx.Document()
    document.add_paragraph(PASSAGE)
    good = tmp_path / "good.docx"
    document.save(good)
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, b"<w:document><broken" if item.filename == "word/document.xml" else data)
    assert _error(path).startswith("corrupt DOCX")


def test_empty_docx(tmp_path):
    path = tmp_path / "report.docx"
    docx.Document().save(path)
    assert _error(path) == "DOCX contains no text"


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(1, 32)) * 20)
    assert _error(path).startswith("corrupt PDF")


def test_binary_named_pdf_without_header(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(bytes(range(1, 32)) * 20)
    assert _error(path) == "corrupt PDF: no %PDF header"


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # an "image": drawing only, no text
    pdf.showPage()
    pdf.save()
    assert _error(path) == "PDF has no text layer (scanned image?); run OCR first"


def test_size_guard(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(PASSAGE * 100, encoding="utf-8")
    reason = _error(path, max_bytes=1024)
    assert "over the" in reason and "limit" in reason and "KG_MAX_INPUT_MB" in reason


def test_text_with_a_pdf_name_is_read_as_text_with_a_warning(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text(f"{HEADING}\n{PASSAGE}\n", encoding="utf-8")
    source = read_document(path)
    assert source.format == "txt"
    assert source.warnings == ["named .pdf but contains txt; read as txt"]


def test_trs_cms_page_keeps_its_article_and_drops_the_chrome_around_it(tmp_path):
    # Many government sites run the TRS CMS: the article sits in div.trs_editor_view, a class
    # name that contains "editor" like the 责任编辑 boxes; it must not be taken for chrome.
    page = f"""<!DOCTYPE html><html><head><meta charset="gb2312">
    <title>2024年政府工作报告_重庆市武隆区人民政府</title></head><body>
    <div class="top"><a href="#">无障碍</a> <a href="#">长者模式</a></div>
    <ul class="menu-list"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>
    <div class="wz">当前位置：<a href="/">首页</a> &gt; 政府工作报告</div>
    <div class="xl-main">
      <div class="tit"><h2>2024年政府工作报告</h2></div>
      <div class="xl-info"><span>发布时间：2024-02-05 10:00</span> <span>来源：区政府办公室</span></div>
      <div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
        <p>——2024年1月31日在重庆市武隆区第十九届人民代表大会第四次会议上</p>
        <p>各位代表：</p>
        <p>　　现在，我代表区人民政府向大会报告工作，请予审议，并请区政协委员和其他列席人员提出意见。</p>
        <p><strong>{HEADING}</strong></p>
        <p>　　全年实现地区生产总值２７３．４６亿元、同比增长５．５％；其中，一、二、三产业增加值分别增长4.8%、6.3%和5.1%。</p>
        <p><strong>{PLAN_PASSAGE}</strong></p>
      </div>
      <div class="xl-bottom">
        <div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin"></a></div>
        <div class="dy">【<a href="javascript:window.print()">打印本页</a>】【<a href="#">关闭窗口</a>】</div>
        <p>责任编辑：李四</p>
      </div>
    </div>
    <div class="foot-box"><p>主办：重庆市武隆区人民政府办公室 渝ICP备00000000号-1</p></div>
    </body></html>"""
    path = tmp_path / "report.html"
    path.write_bytes(page.encode("gb18030"))
    source = read_document(path)
    assert (source.format, source.encoding) == ("html", "gb18030")
    assert source.text.startswith("2024年政府工作报告\n")
    assert f"\n{HEADING}\n{PASSAGE}\n{PLAN_PASSAGE}\n" in source.text  # full-width digits and ％ too
    for chrome in ("当前位置", "无障碍", "政务公开", "发布时间", "分享到", "打印", "关闭窗口", "责任编辑",
                   "ICP"):
        assert chrome not in source.text, chrome


def test_table_layout_page_with_br_paragraphs_keeps_the_articles_own_title(tmp_path):
    # Older county sites: layout tables, the article in one <td> with <br> between
    # paragraphs, its title in bold inside it, and a shorter <title> for the page.
    lines = [line for line in SEED_GWR.read_text(encoding="utf-8").split("\n")[4:30] if line.strip()]
    page = f"""<html><head><title>武隆区政府工作报告</title></head><body><table>
    <tr><td class="nav"><a href="/">首页</a> | <a href="/a">政务公开</a> | <a>办事服务</a></td></tr>
    <tr><td><table><tr><td class="left"><a>通知公告</a><br><a>政策文件</a><br><a>规划计划</a></td>
    <td><div align="center"><b>{TITLE}</b></div>发布日期：2024-02-05 【打印】【关闭】<br>
    {"<br>".join(lines)}<br>【打印本页】 【关闭窗口】</td></tr></table></td></tr>
    <tr><td>主办单位：重庆市武隆区人民政府办公室 版权所有</td></tr></table></body></html>"""
    path = tmp_path / "report.htm"
    path.write_text(page, encoding="utf-8")
    text = read_document(path).text
    assert text.startswith(f"{TITLE}\n——2024年1月31日在重庆市武隆区第十九届人民代表大会第四次会议上\n")
    assert "\n一、2023年工作回顾\n" in text and "带动消费6.36亿元" in text
    for chrome in ("首页", "政务公开", "通知公告", "发布日期", "打印", "关闭", "主办单位"):
        assert chrome not in text, chrome
