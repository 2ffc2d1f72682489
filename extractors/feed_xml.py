"""The fast path of feed parsing: well-formed RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) read with lxml.

It gives the same feed and entry mappings as feedparser's strict parser for the keys that
`extractors.feeds` reads (title, link, id, summary, content, author, dates), by following the
rules feedparser applies to them: which element wins when several give the same key, xml:base,
isPermaLink guids, the "second description is content" rule, the HTML guess for RSS titles, and
its repair of doubly encoded UTF-8. Whenever a document steps outside what is followed here (a
DTD, a parse error, an odd encoding or media type, markup inside a text element, base64 or
external content), `read_feed_xml` returns None and the caller asks feedparser instead.

lxml is set up so that nothing outside the body is ever read: no DTD is loaded, no entity is
resolved and no network is used; a document whose DOCTYPE has an internal subset or names an
external DTD never takes this path at all.
"""

from __future__ import annotations

import contextlib
import functools
import html.entities
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.sanitizer import _HTMLSanitizer
from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)

_ATOM = "http://www.w3.org/2005/Atom"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RSS1 = "http://purl.org/rss/1.0/"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

# Namespace -> the prefix feedparser gives its elements ("" = plain RSS/Atom element names).
_PREFIXES = {
    "http://backend.userland.com/rss": "",
    "http://blogs.law.harvard.edu/tech/rss": "",
    _RSS1: "",
    "http://my.netscape.com/rdf/simple/0.9/": "",
    "http://purl.org/atom/ns#": "",
    _ATOM.lower(): "",
    "http://purl.org/rss/1.0/modules/rss091#": "",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://example.com/dtds/podcast-1.0.dtd": "itunes",
    _RDF: "rdf",
    "http://www.w3.org/1999/xhtml": "xhtml",
}

_XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")
_DECLARED_ENCODING = re.compile(rb"^<\?.*encoding=['\"](.*?)['\"].*\?>")
_UTF8_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
_APPLICATION_XML = frozenset(
    {"application/xml", "application/xml-dtd", "application/xml-external-parsed-entity"}
)
_TEXT_XML = frozenset({"text/xml", "text/xml-external-parsed-entity"})
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x4c\x6f\xa7\x94")  # UTF-16/32 BOMs, EBCDIC

_SHORT_TYPES = {
    "text": "text/plain",
    "plain": "text/plain",
    "html": "text/html",
    "xhtml": "application/xhtml+xml",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SUMMARY_TYPES = _HTML_TYPES | {"text/plain"}
_CLOSE_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&#?\w+;")
_TAG_NAME = re.compile(r"</?(\w+)")
_ENTITY_NAME = re.compile(r"&(\w+);")
_URI_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_LINK_ENTITY = re.compile(r"&([A-Za-z0-9_]+);")
_C1_CONTROL = re.compile("[\x80-\x9f]")
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(128, 160)
    if code not in (129, 141, 143, 144, 157)
}

_SAFE_SCHEMES = frozenset(
    [
        "file",
        "ftp",
        "gopher",
        "h323",
        "hdl",
        "http",
        "https",
        "imap",
        "magnet",
        "mailto",
        "mms",
        "news",
        "nntp",
        "prospero",
        "rsync",
        "rtsp",
        "rtspu",
        "sftp",
        "shttp",
        "sip",
        "sips",
        "snews",
        "svn",
        "svn+ssh",
        "telnet",
        "wais",
        "aim",
        "callto",
        "cvs",
        "facetime",
        "feed",
        "git",
        "gtalk",
        "irc",
        "ircs",
        "irc6",
        "itms",
        "msnim",
        "skype",
        "ssh",
        "smb",
        "ymsg",
    ]
)

_IMAGE_KEEPS = frozenset({"title", "link", "description", "url", "href", "width", "height"})
_TEXTINPUT_KEEPS = frozenset({"title", "link", "description", "name"})


class _Unsure(Exception):
    """The document uses something the fast path does not follow; feedparser must read it."""


@dataclass(frozen=True)
class FeedDocument:
    """feedparser-shaped `feed` and `entries` mappings, restricted to the keys newswatch reads."""

    feed: dict[str, Any]
    entries: list[dict[str, Any]]


def read_feed_xml(body: bytes, *, base_url: str, content_type: str) -> FeedDocument | None:
    """The feed read from `body`, or None when feedparser should read it instead."""
    document = _utf8_document(body, content_type)
    if document is None:
        return None
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError:
        return None
    if _declares_entities(root.getroottree().docinfo) or not _is_plain_feed(root):
        return None
    walk = _Walk(_safe_uri(base_url, None), atom=root.tag == f"{{{_ATOM}}}feed")
    try:
        walk.element(root, 1, walk.base)
    except _Unsure:
        return None
    return FeedDocument(walk.feed, walk.entries)


def _utf8_document(body: bytes, content_type: str) -> bytes | None:
    """The body as UTF-8 with a UTF-8 declaration, decoded the way feedparser decides without
    complaint; None where feedparser would override the encoding or flag the media type."""
    if body.startswith(_WIDE_STARTS) or b"\x00" in body[:4]:
        return None
    body = body.removeprefix(b"\xef\xbb\xbf")
    declared = _DECLARED_ENCODING.match(body)
    xml_encoding = declared[1].decode("utf-8", "replace").lower() if declared else ""
    media_type, charset = _split_content_type(content_type)
    if media_type in _APPLICATION_XML or (
        media_type.startswith("application/") and media_type.endswith("+xml")
    ):
        encoding = charset or xml_encoding or "utf-8"
    elif media_type in _TEXT_XML or (
        media_type.startswith("text/") and media_type.endswith("+xml")
    ):
        encoding = charset or "us-ascii"
    else:
        return None
    if encoding.lower() == "gb2312":
        encoding = "gb18030"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if _XML_DECLARATION.search(text):
        text = _XML_DECLARATION.sub(_UTF8_DECLARATION, text)
    else:
        text = f"{_UTF8_DECLARATION}\n{text}"
    return text.encode("utf-8")


def _split_content_type(value: str) -> tuple[str, str]:
    media_type, *parameters = value.split(";")
    charset = ""
    for parameter in parameters:
        key, _, given = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = given.strip().strip("\"'")
    return media_type.strip(), charset


def _declares_entities(docinfo: etree.DocInfo) -> bool:
    """A DOCTYPE with an internal subset or an external DTD could define entities; a bare
    `<!DOCTYPE html>` cannot."""
    subset = docinfo.internalDTD
    declared = subset is not None and any(True for _ in subset.iterentities())
    return declared or bool(docinfo.public_id or docinfo.system_url)


def _is_plain_feed(root: etree._Element) -> bool:
    if root.tag == "rss" or root.tag == f"{{{_ATOM}}}feed":
        return True
    # feedparser takes a document's version from the first feed namespace it meets; an RDF
    # document that also declares Atom would depend on attribute order.
    return (
        root.tag == f"{{{_RDF}}}RDF"
        and root.find(f"{{{_RSS1}}}channel") is not None
        and _ATOM not in root.nsmap.values()
    )


def _prefix_and_name(element: etree._Element) -> tuple[str, str]:
    """feedparser's prefix and name for an element: ("", "title"), ("dc", "creator"), ..."""
    tag = element.tag
    if tag[0] != "{":
        return "", tag.lower()
    namespace, _, local = tag[1:].partition("}")
    lowered = namespace.lower()
    if "backend.userland.com/rss" in lowered:
        lowered = "http://backend.userland.com/rss"
    prefix = _PREFIXES.get(lowered)
    if prefix is None:
        prefix = element.prefix or ""
    return prefix.lower(), local.lower()


def _attributes(element: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in element.attrib.items():
        local = str(key).rpartition("}")[2].lower()
        found[local] = value.lower() if local in ("rel", "type") else value
    return found


def _text(element: etree._Element) -> str:
    """The element's character data; markup inside a text element is feedparser's to handle."""
    if not len(element):
        return element.text or ""
    if any(child.tag is not etree.Comment and child.tag is not etree.PI for child in element):
        raise _Unsure
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _direct_text(element: etree._Element) -> str:
    return (element.text or "") + "".join(child.tail or "" for child in element)


def _urljoin(base: str, uri: str) -> str:
    try:
        return urllib.parse.urljoin(base, _URI_SLASHES.sub(r"\1\3", uri))
    except ValueError:
        return ""


@functools.lru_cache(maxsize=256)
def _safe_uri(base: str, relative: str | None) -> str:
    """An absolute URI whose scheme feedparser accepts, or "" (as its make_safe_absolute_uri)."""
    if not base:
        return relative or ""
    if not relative:
        try:
            scheme = urllib.parse.urlparse(base)[0]
        except ValueError:
            return ""
        return base if not scheme or scheme in _SAFE_SCHEMES else ""
    joined = _urljoin(base, relative)
    return joined if joined.strip().split(":", 1)[0] in _SAFE_SCHEMES else ""


def _mapped_type(given: str) -> str:
    return _SHORT_TYPES.get(given.lower(), given.lower())


def _looks_like_html(text: str) -> bool:
    """feedparser's guess that a nominally plain RSS text is HTML."""
    if not (_CLOSE_TAG.search(text) or _ENTITY.search(text)):
        return False
    if any(
        tag.lower() not in _HTMLSanitizer.acceptable_elements for tag in _TAG_NAME.findall(text)
    ):
        return False
    return all(name in html.entities.entitydefs for name in _ENTITY_NAME.findall(text))


def _repaired(text: str) -> str:
    """feedparser undoes UTF-8 read as Latin-1 and maps C1 controls to their cp1252 characters."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_CP1252) if _C1_CONTROL.search(text) else text


def _children(element: etree._Element) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


class _Walk:
    """Walks the tree in document order, keeping the part of feedparser's parser state that
    decides the keys newswatch reads."""

    def __init__(self, base: str, *, atom: bool) -> None:
        self.base = base
        self.atom = atom
        self.feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.depths: dict[str, int] = {}
        self.in_feed = self.in_entry = self.in_image = self.in_textinput = False
        self.in_author = self.has_content = self.guid_is_link = False
        self.title_depth = -1
        self.handlers: dict[str, Callable[[etree._Element, int], None]] = {
            "rss": self._children_of,
            "channel": self._feed,
            "feed": self._feed,
            "item": self._entry,
            "entry": self._entry,
            "image": self._image,
            "textinput": self._textinput,
            "source": self._source,
            "title": self._title,
            "dc_title": self._title,
            "media_title": self._media_title,
            "link": self._link,
            "guid": self._guid,
            "id": self._guid,
            "description": self._description,
            "dc_description": self._description,
            "media_description": self._description,
            "abstract": self._abstract,
            "summary": self._summary,
            "itunes_summary": self._summary,
            "content": self._atom_content,
            "content_encoded": self._encoded_content,
            "fullitem": self._encoded_content,
            "body": self._body,
            "xhtml_body": self._body,
            "author": self._author,
            "dc_author": self._author,
            "dc_creator": self._author,
            "itunes_author": self._author,
            "managingeditor": self._author,
            "name": self._name,
            "itunes_name": self._name,
            "email": self._email,
            "itunes_email": self._email,
            "url": self._uri,
            "uri": self._uri,
            "homepage": self._uri,
            "contributor": self._contributor,
            "dc_contributor": self._contributor,
            "itunes_owner": self._itunes_owner,
            "published": self._published,
            "issued": self._published,
            "pubdate": self._published,
            "dcterms_issued": self._published,
            "updated": self._updated,
            "modified": self._updated,
            "lastbuilddate": self._updated,
            "dc_date": self._updated,
            "dcterms_modified": self._updated,
        }

    # -- the walk ---------------------------------------------------------------------------

    def element(self, element: etree._Element, depth: int, parent_base: str) -> None:
        prefix, name = _prefix_and_name(element)
        given_base = element.get(_XML_BASE) or element.get("base") or parent_base
        self.base = _safe_uri(parent_base, given_base) or parent_base
        if prefix:
            name = f"{prefix}_{name}"
        else:
            self.in_image = self.in_image and name in _IMAGE_KEEPS
            self.in_textinput = self.in_textinput and name in _TEXTINPUT_KEEPS
        self.handlers.get(name, self._children_of)(element, depth)
        self.base = parent_base

    def _children_of(self, element: etree._Element, depth: int) -> None:
        base = self.base
        for child in _children(element):
            self.element(child, depth + 1, base)

    def _context(self) -> dict[str, Any]:
        if self.in_image and "image" in self.feed:
            image: dict[str, Any] = self.feed["image"]
            return image
        if self.in_textinput:
            textinput: dict[str, Any] = self.feed["textinput"]
            return textinput
        return self.entries[-1] if self.in_entry else self.feed

    # -- containers ------------------------------------------------------------------------

    def _feed(self, element: etree._Element, depth: int) -> None:
        self._refuse_cdf_attributes(element)
        self.in_feed = True
        self._children_of(element, depth)
        self.in_feed = False

    def _entry(self, element: etree._Element, depth: int) -> None:
        self._refuse_cdf_attributes(element)
        entry: dict[str, Any] = {}
        self.entries.append(entry)
        self.depths = {}
        self.in_entry, self.guid_is_link, self.title_depth = True, False, -1
        about = element.get(f"{{{_RDF}}}about")
        if about:
            entry["id"] = about
        self._children_of(element, depth)
        self.in_entry = self.has_content = False

    @staticmethod
    def _refuse_cdf_attributes(element: etree._Element) -> None:
        if "href" in _attributes(element) or "lastmod" in _attributes(element):
            raise _Unsure

    def _image(self, element: etree._Element, depth: int) -> None:
        if not self.in_entry:
            self._context().setdefault("image", {})
        self.in_image, self.title_depth = True, -1
        self._children_of(element, depth)
        self.in_image = False

    def _textinput(self, element: etree._Element, depth: int) -> None:
        if self.in_entry:
            raise _Unsure
        self._context().setdefault("textinput", {})
        self.in_textinput, self.title_depth = True, -1
        self._children_of(element, depth)
        self.in_textinput = False

    def _source(self, element: etree._Element, depth: int) -> None:
        """What a <source> holds describes another feed and is kept apart; only its title
        counts, as the depth below which later titles no longer replace the entry's."""
        self.title_depth = -1
        for child in _children(element):
            if _prefix_and_name(child) in (("", "title"), ("dc", "title")) and _text(child).strip():
                self.title_depth = depth + 1

    def _itunes_owner(self, element: etree._Element, depth: int) -> None:
        if self.in_entry:
            raise _Unsure

    # -- text elements ---------------------------------------------------------------------

    @staticmethod
    def _content_type(element: etree._Element, default: str) -> str:
        attributes = _attributes(element)
        content_type = _mapped_type(attributes.get("type", default))
        is_xml = content_type.endswith(("+xml", "/xml"))
        if attributes.get("mode") == "base64" or not (content_type.startswith("text/") or is_xml):
            raise _Unsure
        if "src" in attributes:
            raise _Unsure
        return content_type

    def _text_value(self, element: etree._Element, content_type: str | None) -> tuple[str, str]:
        """feedparser's popped value and (for RSS) its guessed content type."""
        value = _text(element).strip()
        if not self.atom and content_type == "text/plain" and _looks_like_html(value):
            content_type = "text/html"
        return _repaired(value), content_type or ""

    def _store(self, key: str, value: Any, depth: int, detail: dict[str, Any] | None) -> None:
        """Where feedparser's pop() puts a value: entries keep the shallowest, the feed the last."""
        if self.in_entry:
            entry = self.entries[-1]
            if key == "content":
                entry.setdefault("content", []).append({**(detail or {}), "value": value})
                return
            key = "summary" if key == "description" else key
            old_depth = self.depths.get(key)
            if old_depth is None or depth <= old_depth:
                self.depths[key] = depth
                entry[key] = value
            if detail is not None:
                entry[f"{key}_detail"] = detail
        elif self.in_feed:
            key = "subtitle" if key == "description" else key
            context = self._context()
            context[key] = value
            if detail is not None:
                context[f"{key}_detail"] = detail

    def _title(self, element: etree._Element, depth: int) -> None:
        content_type = self._content_type(element, "text/plain")
        value, content_type = self._text_value(element, content_type)
        expecting = self.in_feed or self.in_entry
        if expecting and not (-1 < self.title_depth <= depth):
            self._store("title", value, depth, {"type": content_type})
        if value:
            self.title_depth = depth

    def _media_title(self, element: etree._Element, depth: int) -> None:
        title_depth = self.title_depth
        self._title(element, depth)
        self.title_depth = title_depth

    def _push_content(self, element: etree._Element, depth: int, key: str, default: str) -> None:
        content_type = self._content_type(element, default)
        value, content_type = self._text_value(element, content_type)
        self._store(key, value, depth, {"type": content_type})
        if key == "content" and content_type in _SUMMARY_TYPES:
            self._context().setdefault("summary", value)

    def _description(self, element: etree._Element, depth: int) -> None:
        if "summary" in self._context() and not self.has_content:
            self._atom_content(element, depth)
        else:
            self._push_content(element, depth, "description", "text/html")

    def _abstract(self, element: etree._Element, depth: int) -> None:
        self._push_content(element, depth, "description", "text/plain")

    def _summary(self, element: etree._Element, depth: int) -> None:
        if "summary" in self._context() and not self.has_content:
            self._atom_content(element, depth)
        else:
            self._push_content(element, depth, "summary", "text/plain")

    def _atom_content(self, element: etree._Element, depth: int) -> None:
        self.has_content = True
        self._push_content(element, depth, "content", "text/plain")

    def _encoded_content(self, element: etree._Element, depth: int) -> None:
        self.has_content = True
        self._push_content(element, depth, "content", "text/html")

    def _body(self, element: etree._Element, depth: int) -> None:
        self._push_content(element, depth, "content", "application/xhtml+xml")

    # -- links and ids ---------------------------------------------------------------------

    def _link(self, element: etree._Element, depth: int) -> None:
        attributes = _attributes(element)
        rel = attributes.setdefault("rel", "alternate")
        link_type = attributes.get("type", "application/atom+xml" if rel == "self" else "text/html")
        given = attributes.get("url", attributes.get("uri", attributes.get("href")))
        if given or "href" in attributes:
            href = _urljoin(self.base, given or attributes["href"])
            if rel == "alternate" and _mapped_type(link_type) in _HTML_TYPES:
                self._context()["link"] = href
            return
        if not (self.in_feed or self.in_entry):
            return
        value = _text(element).strip()
        value = _repaired(_urljoin(self.base, value) if value else value)
        if self.in_entry:
            if not self.in_image:
                self.entries[-1]["link"] = _LINK_ENTITY.sub(r"&\g<1>", value.replace("&amp;", "&"))
        elif self.in_feed:
            self._context()["link"] = _LINK_ENTITY.sub(r"&\g<1>", value)

    def _guid(self, element: etree._Element, depth: int) -> None:
        self.guid_is_link = _attributes(element).get("ispermalink", "true") == "true"
        value = _text(element).strip()
        if value and self.guid_is_link:
            value = _urljoin(self.base, value)
        value = _repaired(value)
        self._store("id", value, depth, None)
        if self.guid_is_link:
            self._context().setdefault("link", value)

    # -- authors ---------------------------------------------------------------------------

    def _author(self, element: etree._Element, depth: int) -> None:
        self.in_author = True
        context = self._context()
        context.setdefault("authors", []).append({})
        if any(True for _ in _children(element)):
            self._children_of(element, depth)
            value = _direct_text(element).strip()
        else:
            value = _text(element).strip()
        self._store("author", _repaired(value), depth, None)
        self.in_author = False
        self._sync_author()

    def _name(self, element: etree._Element, depth: int) -> None:
        if self.in_author:
            self._save_author("name", _text(element).strip())

    def _email(self, element: etree._Element, depth: int) -> None:
        if self.in_author:
            self._save_author("email", _text(element).strip())

    def _uri(self, element: etree._Element, depth: int) -> None:
        if self.in_author:
            value = _text(element).strip()
            self._save_author("href", _repaired(_urljoin(self.base, value) if value else value))

    def _contributor(self, element: etree._Element, depth: int) -> None:
        """A contributor's name never becomes the author."""

    def _save_author(self, key: str, value: str) -> None:
        context = self._context()
        context.setdefault("author_detail", {})[key] = value
        self._sync_author()
        context.setdefault("authors", [{}])[-1][key] = value

    def _sync_author(self) -> None:
        """feedparser's reconciliation of "author" and "author_detail"."""
        context = self._context()
        detail = context.get("authors", [{}])[-1]
        if detail:
            name, email = detail.get("name"), detail.get("email")
            if name and email:
                context["author"] = f"{name} ({email})"
            elif name or email:
                context["author"] = name or email
            return
        author = context.get("author")
        if author:
            _split_author_email(context, detail, author)

    # -- dates -----------------------------------------------------------------------------

    def _published(self, element: etree._Element, depth: int) -> None:
        self._date(element, depth, "published")

    def _updated(self, element: etree._Element, depth: int) -> None:
        self._date(element, depth, "updated")

    def _date(self, element: etree._Element, depth: int, key: str) -> None:
        value = _repaired(_text(element).strip())
        self._store(key, value, depth, None)
        self._context()[f"{key}_parsed"] = _parse_date(value)


_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _split_author_email(context: dict[str, Any], detail: dict[str, Any], author: str) -> None:
    """feedparser's split of an RSS author such as "desk@example.com (Name)"."""
    email = None
    if found := _EMAIL.search(author):
        email = found[0]
        for noise in (email, "()", "<>", "&lt;&gt;"):
            author = author.replace(noise, "")
        author = author.strip().removeprefix("(").removesuffix(")").strip()
    if author or email:
        context.setdefault("author_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email
