"""Tagged PDF (issue 16): the structure tree of an issue, built from the HTML it was laid out from.

WeasyPrint 70 can tag (``pdf_tags``): it marks every text box and image it draws with an MCID
(``Stream.marked``) and then builds a tree page by page (``pdf.tags.add_tags``), so an article
or a paragraph broken by a page becomes two elements, folios are tied to elements the tree
never reaches, a footnote lands after the page's text, and every text box gets an element of
its own. Here the same marked content is given a tree that follows the document:

- one structure element per HTML element, whatever pages its content falls on (a paragraph
  across a page break is one P; its content on other pages is referenced with MCR
  dictionaries), children in document order (a figure floated to the next page stays where
  the editor wrote it), so reading the tree reads the issue in manifest order;
- roles from HTML and the few ARIA attributes a layout sets (``role="heading"`` with
  ``aria-level``, ``role="doc-toc"``, ``role="doc-colophon"``, ``aria-label`` as a section's
  title, ``aria-hidden="true"``): L/LI/Lbl/LBody for lists, TOC/TOCI for the contents,
  Table/THead/TBody/TR/TH (with /Scope)/TD, Figure with /Alt (the image's alt text, else its
  caption) around its Caption, Note (with /ID) just after its call, Link with the annotation's
  OBJR, H1–H6 without skipped levels, Sect with /T for the masthead and the end block;
- page furniture as artifacts: folios (``/Artifact <</Type /Pagination /Subtype /Footer>>``)
  and contents leaders (``/Type /Layout``): the marked-content sequence WeasyPrint opened
  for them is turned into an artifact before the stream is written, and the MCIDs left are
  numbered again from 0 on each page.

Inline formatting (strong, em, span…) adds no element: its text belongs to the paragraph.
The marked content itself is WeasyPrint's: BDC /MCID … EMC around each text box and image,
with the composer's ActualText spans (engine/justify.py) inside them; typography/textlayer.py
rewrites the text inside and leaves every marked-content line where it was.

Internals used (checked by justify.check_internals): ``weasyprint.pdf.add_tags`` (the name
generate_pdf calls, replaced by ``install``), ``Stream._tags`` (box → MCID), the pydyf stream
list in which ``begin_marked_content`` appends ``/Tag``, the property dictionary and ``BDC``
(checked here on every artifact), ``box.link_annotation`` and ``pdf.page_references``.
"""

from __future__ import annotations

import re

import pydyf

ROLE_ATTRIBUTE = "role"
HEADING = re.compile(r"h([1-6])")
# Inline formatting: its content belongs to the enclosing element.
TRANSPARENT = {"html", "body", "main", "span", "strong", "b", "em", "i", "u", "s", "del", "ins",
               "mark", "small", "sub", "sup", "abbr", "cite", "kbd", "br", "wbr", "font", "time",
               "label", "bdi", "bdo", "data", "var", "samp", "dfn"}
BY_TAG = {
    "p": "P", "div": "Div", "article": "Art", "section": "Sect", "header": "Sect",
    "footer": "Sect", "nav": "Sect", "aside": "Aside", "blockquote": "BlockQuote",
    "ul": "L", "ol": "L", "dl": "L", "li": "LI", "dt": "LI", "dd": "LI",
    "table": "Table", "thead": "THead", "tbody": "TBody", "tfoot": "TFoot", "tr": "TR",
    "th": "TH", "td": "TD", "caption": "Caption", "figure": "Figure", "figcaption": "Caption",
    "img": "Figure", "svg": "Figure", "a": "Link", "code": "Code", "pre": "P", "q": "Quote",
    "address": "P", "hr": None,
}
# A figure row's caption names its image by place (inputs/markdown.py _figure_row).
CELL, ROW = "data-kj-cell", "data-kj-figure"
# What screen readers hear a leader as: nothing (dots between a title and its page number).
LEADER = ("Layout", None)
_MISSING_ALT = "未加说明的图片"


def install() -> None:
    """Have WeasyPrint call ``add_tags`` below when it writes a tagged PDF (idempotent)."""
    import weasyprint.pdf

    weasyprint.pdf.add_tags = add_tags


class _Node:
    """A structure element while the tree is built."""

    __slots__ = ("role", "element", "order", "parent", "kids", "attributes", "label", "body",
                 "level", "bbox", "reference")

    def __init__(self, role: str, element, order: int, parent: _Node | None):
        self.role = role
        self.element = element
        self.order = order  # the element's position in the document
        self.parent = parent
        self.kids: list = []  # _Node, or ("mcid", page, id), or ("objr", page, annotation)
        self.attributes: dict = {}
        self.label: _Node | None = None  # an LI's or a Note's Lbl
        self.body: _Node | None = None  # an LI's LBody
        self.level = 0  # a heading's declared level
        self.bbox = None  # a figure's, on its page: [page, x1, y1, x2, y2]
        self.reference = None  # once written

    def receiver(self) -> _Node:
        """Where content and child elements go: an item's body, not the item itself."""
        if self.role == "LI":
            if self.body is None:
                self.body = _Node("LBody", self.element, self.order, self)
                self.kids.append(self.body)
            return self.body
        return self

    def insert(self, node: _Node) -> None:
        """A child element, in document order among the elements already here."""
        index = len(self.kids)
        while index and isinstance(self.kids[index - 1], _Node) and self.kids[index - 1].order > node.order:
            index -= 1
        self.kids.insert(index, node)


class _Tree:
    def __init__(self, pdf, document):
        self.pdf = pdf
        self.document = document
        self.page_refs = pdf.page_references  # pydyf rebuilds this tuple on every access
        root_box = document.pages[0]._page_box.children[0] if document.pages else None
        self.html = root_box.element if root_box is not None else None
        self.parents = {}
        self.order = {}
        if self.html is not None:
            for index, element in enumerate(self.html.iter()):
                self.order[element] = index
                for child in element:
                    self.parents[child] = element
        self.lang = (self.html.get("lang") if self.html is not None else None) or ""
        self.root = _Node("Document", self.html, -1, None)
        self.nodes = {}
        self.notes = 0
        self.artifacts: dict[int, set[int]] = {}  # page → MCIDs turned into artifacts
        self.annotations: list = []  # (node, annotation)
        self.mapping: dict[int, dict[int, int]] = {}  # page → WeasyPrint's MCID → the one written

    # ---- roles ---------------------------------------------------------------------------

    def role(self, element) -> str | None:
        """The structure type of an element; None when its content belongs to its parent."""
        tag = _tag(element)
        aria = (element.get(ROLE_ATTRIBUTE) or "").strip().lower()
        if aria in ("presentation", "none"):
            return None
        if aria == "heading" or HEADING.fullmatch(tag):
            return "H"
        if aria in ("doc-footnote", "doc-endnote"):
            return "Note"
        if aria == "doc-toc":
            return "Sect"
        in_toc = self._in_toc(element)
        if in_toc and tag in ("ul", "ol"):
            return "TOC"
        if in_toc and tag == "li":
            return "TOCI"
        if tag == "img" and self._ancestor(element, "figure") is not None:
            return None  # the figure around it is the Figure
        if tag in TRANSPARENT:
            return None
        return BY_TAG.get(tag, "Div")

    def _in_toc(self, element) -> bool:
        parent = self.parents.get(element)
        while parent is not None:
            if (parent.get(ROLE_ATTRIBUTE) or "").strip().lower() == "doc-toc":
                return True
            parent = self.parents.get(parent)
        return False

    def _ancestor(self, element, tag: str):
        parent = self.parents.get(element)
        while parent is not None:
            if _tag(parent) == tag:
                return parent
            parent = self.parents.get(parent)
        return None

    def node(self, element) -> _Node:
        """The structure element an HTML element's content goes to (made when first needed)."""
        if element is None or element is self.html:
            return self.root
        found = self.nodes.get(element)
        if found is not None:
            return found
        parent = self.node(self._parent(element))
        role = self.role(element)
        if role is None:
            self.nodes[element] = parent
            return parent
        node = _Node(role, element, self.order.get(element, 0), parent.receiver())
        if role == "H":
            node.level = _declared_level(element)
        node.parent.insert(node)
        self.nodes[element] = node
        return node

    def _parent(self, element):
        """The element whose structure element holds ``element``'s: its parent, but for the
        caption of a figure row's image (data-kj-cell="n", inputs/markdown.py _figure_row),
        which goes with that image's <figure>, the row's n-th, as a figure's own caption does."""
        cell = element.get(CELL)
        if cell is None or not cell.isdigit():
            return self.parents.get(element)
        row = self._ancestor(element, "div")
        while row is not None and row.get(ROW) is None:
            row = self._ancestor(row, "div")
        figures = [e for e in row.iter() if _tag(e) == "figure"] if row is not None else []
        return figures[int(cell)] if int(cell) < len(figures) else self.parents.get(element)

    def label(self, node: _Node) -> _Node:
        if node.label is None:
            node.label = _Node("Lbl", node.element, node.order, node)
            node.kids.insert(0, node.label)
        return node.label

    # ---- pages ---------------------------------------------------------------------------

    def add_page(self, number: int, page, stream) -> None:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        tags = stream._tags
        marks = None  # MCID → index of its property list in the stream, found when needed

        def artifact(mcid: int, kind: tuple[str, str | None]) -> None:
            nonlocal marks
            if marks is None:
                marks = _marks(stream)
            index = marks.get(mcid)
            if index is None:  # drawn into a form XObject (opacity): leave it tagged, on the page
                self.root.kids.append(("mcid", number, mcid))
                return
            properties = pydyf.Dictionary({"Type": f"/{kind[0]}"})
            if kind[1]:
                properties["Subtype"] = f"/{kind[1]}"
            stream.stream[index - 1] = "/Artifact"
            stream.stream[index] = properties
            self.artifacts.setdefault(number, set()).add(mcid)

        def walk(box, furniture) -> None:
            if isinstance(box, AbsolutePlaceholder):
                box = box._box
            if isinstance(box, boxes.MarginBox):
                side = "Header" if box.at_keyword.startswith("@top") else \
                    "Footer" if box.at_keyword.startswith("@bottom") else None
                furniture = ("Pagination", side)
            elif getattr(box, "is_leader", False):
                furniture = LEADER
            element = box.element
            if furniture is None and element is not None and element.get("aria-hidden") == "true":
                furniture = ("Layout", None)
            mark = tags.pop(box, None)
            if mark is not None:
                if furniture is not None:
                    artifact(mark["mcid"], furniture)
                else:
                    self.content(box, number, mark["mcid"])
            if box.link_annotation is not None:  # a leader is part of its link too
                node = self.node(element)
                node.receiver().kids.append(("objr", number, box.link_annotation))
                self.annotations.append((node, box.link_annotation))
            for child in getattr(box, "children", ()):
                walk(child, furniture)

        walk(page._page_box, None)
        for box, mark in list(tags.items()):  # drawn but not in the page's boxes: keep it tagged
            self.root.kids.append(("mcid", number, mark["mcid"]))
            del tags[box]
        self._renumber(number, stream)

    def content(self, box, page: int, mcid: int) -> None:
        element = box.element
        pseudo = box.element_tag.partition("::")[2]
        if pseudo == "footnote-call":  # the number in the text, then the note it calls
            self.node(self.parents.get(element)).receiver().kids.append(("mcid", page, mcid))
            self._note(element)
            return
        node = self.node(element)
        if pseudo == "footnote-marker":
            node = self.label(self._note(element))
        elif pseudo == "marker" or (pseudo == "before" and node.role in ("LI", "TOCI")):
            node = self.label(node)
        else:
            node = node.receiver()
        node.kids.append(("mcid", page, mcid))
        if node.role == "Figure" and node.bbox is None and hasattr(box, "replacement"):
            self._figure_box(node, box, page)

    def _note(self, element) -> _Node:
        node = self.nodes.get(element)
        if node is None or node.role != "Note":
            parent = self.node(self.parents.get(element)).receiver()
            self.notes += 1
            node = _Node("Note", element, self.order.get(element, 0), parent)
            node.attributes["ID"] = pydyf.String(f"note-{self.notes}")
            parent.kids.append(node)
            self.nodes[element] = node
        return node

    def _figure_box(self, node: _Node, box, page: int) -> None:
        """The figure's bounding box on its page, in PDF points (ISO 32000-1 14.8.5.4.3)."""
        scale = 0.75
        height = self.document.pages[page].height * scale
        x1, y1 = box.content_box_x() * scale, box.content_box_y() * scale
        x2, y2 = x1 + box.width * scale, y1 + box.height * scale
        node.bbox = [page, x1, height - y2, x2, height - y1]

    def _renumber(self, page: int, stream) -> None:
        """MCIDs 0, 1, … in the order of the page's stream, artifacts left out."""
        mapping = {}
        dropped = self.artifacts.get(page, set())
        for item in stream.stream:
            if isinstance(item, pydyf.Dictionary) and "MCID" in item:
                old = item["MCID"]
                if old in dropped:
                    continue
                mapping[old] = item["MCID"] = len(mapping)
        self.mapping[page] = mapping

    # ---- writing -------------------------------------------------------------------------

    def finish(self) -> None:
        pdf = self.pdf
        self._levels()
        self._figures()
        parent_tree: dict[int, list] = {}
        structure_root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
        pdf.add_object(structure_root)
        self._write(self.root, structure_root.reference, parent_tree)
        structure_root["K"] = pydyf.Array([self.root.reference])
        nums = pydyf.Array()
        for page in range(len(self.page_refs)):
            refs = parent_tree.get(page, [])
            nums.extend([page, pydyf.Array(ref if ref is not None else "null" for ref in refs)])
        key = len(self.page_refs)
        for node, annotation in self.annotations:
            annotation["StructParent"] = key
            text = _text(node.element)
            if text:
                annotation["Contents"] = pydyf.String(text)
            nums.extend([key, node.reference])
            key += 1
        parent_tree_object = pydyf.Dictionary({"Nums": nums})
        pdf.add_object(parent_tree_object)
        structure_root["ParentTree"] = parent_tree_object.reference
        structure_root["ParentTreeNextKey"] = key
        pdf.catalog["StructTreeRoot"] = structure_root.reference
        pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        if "Lang" not in pdf.catalog:
            pdf.catalog["Lang"] = pydyf.String(self.lang or "zh-CN")

    def _write(self, node: _Node, parent_ref, parent_tree: dict[int, list]) -> None:
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{node.role}", "P": parent_ref})
        self.pdf.add_object(element)
        pages = [kid[1] for kid in node.kids if isinstance(kid, tuple)]
        home = pages[0] if pages else None
        if home is not None:
            element["Pg"] = self.page_refs[home]
        kids = pydyf.Array()
        for kid in node.kids:
            if isinstance(kid, _Node):
                self._write(kid, element.reference, parent_tree)
                kids.append(kid.reference)
            elif kid[0] == "mcid":
                _kind, page, old = kid
                mcid = self.mapping[page].get(old)
                if mcid is None:
                    continue
                refs = parent_tree.setdefault(page, [])
                refs.extend([None] * (mcid + 1 - len(refs)))
                refs[mcid] = element.reference
                if page == home:
                    kids.append(mcid)
                else:
                    kids.append(pydyf.Dictionary({"Type": "/MCR", "Pg": self.page_refs[page], "MCID": mcid}))
            else:
                _kind, page, annotation = kid
                objr = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference,
                                         "Pg": self.page_refs[page]})
                kids.append(objr)
        element["K"] = kids
        for key, value in node.attributes.items():
            element[key] = value
        if node.element is not None and node.element is not self.html:
            lang = node.element.get("lang")
            if lang and lang != self.lang:
                element["Lang"] = pydyf.String(lang)
            title = node.element.get("aria-label")
            if title and node.role in ("Sect", "Art", "Part", "Div", "Aside", "Figure", "Table"):
                element["T"] = pydyf.String(title)
        node.reference = element.reference

    def _levels(self) -> None:
        """H1–H6 in reading order without a skipped level (Matterhorn 14-003); the headings of an
        article follow its title's level, ranked among themselves (an article using only ###
        gets one level below its title)."""
        headings: list[_Node] = []
        articles: dict[int, list[_Node]] = {}

        def visit(node: _Node, article: _Node | None) -> None:
            if node.role == "Art":
                article = node
            if node.role == "H":
                headings.append(node)
                if article is not None:
                    articles.setdefault(id(article), []).append(node)
            for kid in node.kids:
                if isinstance(kid, _Node):
                    visit(kid, article)

        visit(self.root, None)
        for inside in articles.values():
            title, rest = inside[0], inside[1:]
            ranks = sorted({h.level for h in rest})
            for heading in rest:
                heading.level = title.level + 1 + ranks.index(heading.level)
        previous = 0
        for heading in headings:
            heading.level = max(1, min(heading.level, previous + 1, 6))
            heading.role = f"H{heading.level}"
            previous = heading.level

    def _figures(self) -> None:
        for node in list(self._all(self.root)):
            if node.role == "Figure":
                node.attributes["Alt"] = pydyf.String(_alt(node.element) or _MISSING_ALT)
                if node.bbox is not None:
                    _page, x1, y1, x2, y2 = node.bbox
                    node.attributes["A"] = pydyf.Dictionary({
                        "O": "/Layout", "Placement": "/Block",
                        "BBox": pydyf.Array([round(v, 3) for v in (x1, y1, x2, y2)])})
            elif node.role in ("TH", "TD"):
                attributes = pydyf.Dictionary({"O": "/Table"})
                if node.role == "TH":
                    attributes["Scope"] = f"/{_scope(node.element, self)}"
                for name, key in (("colspan", "ColSpan"), ("rowspan", "RowSpan")):
                    value = node.element.get(name)
                    if value and value.isdigit() and int(value) > 1:
                        attributes[key] = int(value)
                node.attributes["A"] = attributes

    def _all(self, node: _Node):
        yield node
        for kid in node.kids:
            if isinstance(kid, _Node):
                yield from self._all(kid)


def add_tags(pdf, document, pdf_version, page_streams):
    """WeasyPrint's ``pdf.tags.add_tags``, replaced: see the module's docstring."""
    tree = _Tree(pdf, document)
    for number, (page, stream) in enumerate(zip(document.pages, page_streams)):
        tree.add_page(number, page, stream)
    tree.finish()


def _marks(stream) -> dict[int, int]:
    """MCID → index of its property list in a pydyf stream (``/Tag``, properties, ``BDC``)."""
    found = {}
    items = stream.stream
    for index, item in enumerate(items):
        if isinstance(item, pydyf.Dictionary) and "MCID" in item:
            if not (index and isinstance(items[index - 1], str) and items[index - 1].startswith("/")
                    and index + 1 < len(items) and items[index + 1] == b"BDC"):
                raise RuntimeError("pydyf no longer writes marked content as /Tag, properties, BDC")
            found[item["MCID"]] = index
    return found


def _declared_level(element) -> int:
    level = element.get("aria-level")
    if level and level.strip().isdigit():
        return int(level)
    match = HEADING.fullmatch(_tag(element))
    return int(match.group(1)) if match else 2


def _text(element) -> str:
    if element is None:
        return ""
    from ..typography.chars import WITHOUT_LAYOUT_MARKS

    return " ".join("".join(element.itertext()).translate(WITHOUT_LAYOUT_MARKS).split())


def _alt(element) -> str:
    """A figure's alternative text: the image's alt, else the figure's caption."""
    for image in (e for e in element.iter() if _tag(e) == "img"):
        if (alt := (image.get("alt") or "").strip()):
            return alt
    for caption in (e for e in element.iter() if _tag(e) == "figcaption"):
        if (text := _text(caption)):
            return text
    return ""


def _scope(element, tree: _Tree) -> str:
    """A header cell's scope: as written (scope="row"), else Column in a row of header cells
    (a table head), else Row (a header cell opening a row of data)."""
    scope = (element.get("scope") or "").lower()
    if scope in ("row", "col", "column"):
        return "Row" if scope == "row" else "Column"
    row = tree.parents.get(element)
    cells = [c for c in row if isinstance(c.tag, str)] if row is not None else []
    if all(_tag(c) == "th" for c in cells):
        return "Column"
    return "Row" if cells and cells[0] is element else "Column"


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
