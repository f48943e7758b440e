/*  =========================================================================
    ab_feed - RSS 2.0 / RSS 1.0 / Atom 1.0 documents into plain items
    =========================================================================
*/
#include "ab_feed.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <utf8proc.h>

#define ATOM_NS     "http://www.w3.org/2005/Atom"
#define CONTENT_NS  "http://purl.org/rss/1.0/modules/content/"
#define DC_NS       "http://purl.org/dc/elements/1.1/"

//  Text being built with HTML's white-space rules: a break or space is
//  only written once real text follows, so nothing leads or trails
typedef struct {
    zchunk_t *chunk;
    int pending;            //  0 nothing, 1 space, 2 line break, 3 paragraph
} text_t;

static void
s_text_break (text_t *text, int level)
{
    if (level > text->pending)
        text->pending = level;
}

//  Invalid UTF-8 (possible only in HTML handed to us directly: libxml2
//  converts XML to UTF-8) becomes U+FFFD, so the output is always UTF-8
static void
s_text_add (text_t *text, const char *data)
{
    const utf8proc_uint8_t *cursor = (const utf8proc_uint8_t *) data;
    utf8proc_ssize_t left = (utf8proc_ssize_t) strlen (data);
    while (left > 0) {
        if (*cursor == ' ' || *cursor == '\t' || *cursor == '\n' || *cursor == '\r' || *cursor == '\f') {
            s_text_break (text, 1);
            cursor++;
            left--;
            continue;
        }
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t used = utf8proc_iterate (cursor, left, &codepoint);
        if (text->pending && zchunk_size (text->chunk) > 0) {
            const char *separator = text->pending == 3? "\n\n": text->pending == 2? "\n": " ";
            zchunk_extend (text->chunk, separator, strlen (separator));
        }
        text->pending = 0;
        if (used > 0)
            zchunk_extend (text->chunk, cursor, (size_t) used);
        else {
            zchunk_extend (text->chunk, "\xef\xbf\xbd", 3);
            used = 1;
        }
        cursor += used;
        left -= used;
    }
}

static char *
s_text_take (text_t *text)
{
    char *result = malloc (zchunk_size (text->chunk) + 1);
    memcpy (result, zchunk_data (text->chunk), zchunk_size (text->chunk));
    result [zchunk_size (text->chunk)] = 0;
    zchunk_destroy (&text->chunk);
    return result;
}

static bool
s_name_in (const xmlChar *name, const char *const *names)
{
    for (; *names; names++)
        if (xmlStrcasecmp (name, (const xmlChar *) *names) == 0)
            return true;
    return false;
}

//  Walk an HTML (or XHTML) tree into text
static void
s_flatten (xmlNodePtr node, text_t *text, int depth)
{
    static const char *const skipped [] = { "script", "style", "head", "noscript", "template", NULL };
    static const char *const blocks [] = {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "tr", "section", "article", "header", "footer",
        "aside", "figure", "figcaption", "hr", "address", "nav", "main", NULL };
    //  Bounded: a hostile document nested deeper than any real one
    //  cannot exhaust the stack
    if (depth > 256)
        return;
    for (; node; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content)
                s_text_add (text, (const char *) node->content);
        }
        else
        if (node->type == XML_ELEMENT_NODE) {
            if (s_name_in (node->name, skipped))
                continue;
            if (xmlStrcasecmp (node->name, (const xmlChar *) "br") == 0) {
                s_text_break (text, 2);
                continue;
            }
            bool block = s_name_in (node->name, blocks);
            if (block)
                s_text_break (text, 3);
            else
            if (xmlStrcasecmp (node->name, (const xmlChar *) "td") == 0
            ||  xmlStrcasecmp (node->name, (const xmlChar *) "th") == 0)
                s_text_break (text, 1);
            s_flatten (node->children, text, depth + 1);
            if (block)
                s_text_break (text, 3);
        }
        else
        if (node->type == XML_ENTITY_REF_NODE)
            s_flatten (node->children, text, depth + 1);
    }
}

char *
ab_feed_html_to_text (const char *html, size_t size)
{
    text_t text = { zchunk_new (NULL, size + 1), 0 };
    //  The HTML parser needs at least one byte and an int-sized length
    if (size > 0 && size < INT32_MAX) {
        htmlDocPtr doc = htmlReadMemory (html, (int) size, NULL, "UTF-8",
                                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                                         | HTML_PARSE_COMPACT);
        if (doc) {
            s_flatten (doc->children, &text, 0);
            xmlFreeDoc (doc);
        }
    }
    return s_text_take (&text);
}

void
ab_feed_item_destroy (ab_feed_item_t **self_p)
{
    ab_feed_item_t *self = *self_p;
    if (!self)
        return;
    free (self->key);
    free (self->title);
    free (self->link);
    free (self->published);
    free (self->body);
    free (self);
    *self_p = NULL;
}

static bool
s_is (xmlNodePtr node, const char *name, const char *ns)
{
    if (node->type != XML_ELEMENT_NODE || xmlStrcmp (node->name, (const xmlChar *) name) != 0)
        return false;
    if (!ns)                //  RSS 2.0 elements have no namespace
        return node->ns == NULL;
    return node->ns && xmlStrcmp (node->ns->href, (const xmlChar *) ns) == 0;
}

static xmlNodePtr
s_child (xmlNodePtr parent, const char *name, const char *ns)
{
    for (xmlNodePtr node = parent->children; node; node = node->next)
        if (s_is (node, name, ns))
            return node;
    return NULL;
}

//  The element's text content with white space collapsed; "" if absent
static char *
s_plain (xmlNodePtr node)
{
    text_t text = { zchunk_new (NULL, 64), 0 };
    if (node) {
        xmlChar *content = xmlNodeGetContent (node);
        if (content)
            s_text_add (&text, (const char *) content);
        xmlFree (content);
    }
    return s_text_take (&text);
}

//  An element holding escaped HTML (RSS description, Atom type="html")
static char *
s_html (xmlNodePtr node)
{
    xmlChar *content = xmlNodeGetContent (node);
    char *text = ab_feed_html_to_text (content? (const char *) content: "",
                                       content? (size_t) xmlStrlen (content): 0);
    xmlFree (content);
    return text;
}

//  Atom text construct: type text, html or xhtml (markup inline)
static char *
s_atom_text (xmlNodePtr node, bool as_body)
{
    if (!node)
        return strdup ("");
    xmlChar *type = xmlGetProp (node, (const xmlChar *) "type");
    char *result;
    if (type && xmlStrcmp (type, (const xmlChar *) "xhtml") == 0) {
        text_t text = { zchunk_new (NULL, 256), 0 };
        s_flatten (node->children, &text, 0);
        result = s_text_take (&text);
    }
    else
    if (type && xmlStrcmp (type, (const xmlChar *) "html") == 0)
        result = s_html (node);
    else
    if (as_body) {
        //  Plain text keeps its own paragraph breaks
        xmlChar *content = xmlNodeGetContent (node);
        result = strdup (content? (const char *) content: "");
        xmlFree (content);
    }
    else
        result = s_plain (node);
    xmlFree (type);
    return result;
}

static char *
s_first_nonempty (char *first, char *second)
{
    if (first && *first) {
        free (second);
        return first;
    }
    free (first);
    return second? second: strdup ("");
}

static ab_feed_item_t *
s_rss_item (xmlNodePtr node)
{
    ab_feed_item_t *item = calloc (1, sizeof *item);
    item->title = s_plain (s_child (node, "title", NULL));
    item->link = s_plain (s_child (node, "link", NULL));
    item->published = s_first_nonempty (s_plain (s_child (node, "pubDate", NULL)),
                                        s_plain (s_child (node, "date", DC_NS)));
    xmlNodePtr encoded = s_child (node, "encoded", CONTENT_NS);
    xmlNodePtr description = s_child (node, "description", NULL);
    item->body = s_first_nonempty (encoded? s_html (encoded): NULL,
                                   description? s_html (description): NULL);
    item->key = s_plain (s_child (node, "guid", NULL));
    if (!*item->key) {
        //  RSS 1.0 names its items by rdf:about
        xmlChar *about = xmlGetProp (node, (const xmlChar *) "about");
        if (about) {
            free (item->key);
            item->key = strdup ((const char *) about);
            xmlFree (about);
        }
    }
    return item;
}

static ab_feed_item_t *
s_atom_entry (xmlNodePtr node)
{
    ab_feed_item_t *item = calloc (1, sizeof *item);
    item->title = s_atom_text (s_child (node, "title", ATOM_NS), false);
    item->key = s_plain (s_child (node, "id", ATOM_NS));
    item->published = s_first_nonempty (s_plain (s_child (node, "published", ATOM_NS)),
                                        s_plain (s_child (node, "updated", ATOM_NS)));
    xmlNodePtr content = s_child (node, "content", ATOM_NS);
    xmlNodePtr summary = s_child (node, "summary", ATOM_NS);
    item->body = s_first_nonempty (content? s_atom_text (content, true): NULL,
                                   summary? s_atom_text (summary, true): NULL);
    item->link = strdup ("");
    for (xmlNodePtr link = node->children; link; link = link->next) {
        if (!s_is (link, "link", ATOM_NS))
            continue;
        xmlChar *rel = xmlGetProp (link, (const xmlChar *) "rel");
        xmlChar *href = xmlGetProp (link, (const xmlChar *) "href");
        bool alternate = !rel || xmlStrcmp (rel, (const xmlChar *) "alternate") == 0;
        if (alternate && href && !*item->link) {
            free (item->link);
            item->link = strdup ((const char *) href);
        }
        xmlFree (rel);
        xmlFree (href);
    }
    return item;
}

static void
s_add_item (zlistx_t *items, ab_feed_item_t *item, size_t *keyless)
{
    if (!*item->key)
        item->key = s_first_nonempty (item->key, strdup (item->link));
    if (!*item->key)
        item->key = s_first_nonempty (item->key, strdup (item->title));
    if (*item->key)
        zlistx_add_end (items, item);
    else {
        (*keyless)++;
        ab_feed_item_destroy (&item);
    }
}

zlistx_t *
ab_feed_parse (const char *data, size_t size, const char *base_url,
               size_t *keyless_p, char *errbuf, size_t errlen)
{
    if (size == 0 || size >= INT32_MAX) {
        snprintf (errbuf, errlen, "%s", size? "document too large": "empty document");
        return NULL;
    }
    xmlParserCtxtPtr context = xmlNewParserCtxt ();
    if (!context) {
        snprintf (errbuf, errlen, "out of memory");
        return NULL;
    }
    //  No NOENT: entities stay references, so no external entity is ever
    //  loaded; NONET forbids fetching DTDs
    xmlDocPtr doc = xmlCtxtReadMemory (context, data, (int) size, base_url, NULL,
                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *error = &context->lastError;
        char reason [200];
        snprintf (reason, sizeof reason, "%s", error->message? error->message: "unknown error");
        reason [strcspn (reason, "\n")] = 0;
        snprintf (errbuf, errlen, "malformed XML at line %d: %s", error->line, reason);
        xmlFreeParserCtxt (context);
        return NULL;
    }
    xmlFreeParserCtxt (context);
    zlistx_t *items = zlistx_new ();
    zlistx_set_destructor (items, (czmq_destructor *) ab_feed_item_destroy);
    size_t keyless = 0;
    xmlNodePtr root = xmlDocGetRootElement (doc);
    if (root && s_is (root, "rss", NULL)) {
        xmlNodePtr channel = s_child (root, "channel", NULL);
        for (xmlNodePtr node = channel? channel->children: NULL; node; node = node->next)
            if (s_is (node, "item", NULL))
                s_add_item (items, s_rss_item (node), &keyless);
    }
    else
    if (root && s_is (root, "feed", ATOM_NS)) {
        for (xmlNodePtr node = root->children; node; node = node->next)
            if (s_is (node, "entry", ATOM_NS))
                s_add_item (items, s_atom_entry (node), &keyless);
    }
    else
    if (root && xmlStrcmp (root->name, (const xmlChar *) "RDF") == 0) {
        for (xmlNodePtr node = root->children; node; node = node->next)
            if (node->type == XML_ELEMENT_NODE && xmlStrcmp (node->name, (const xmlChar *) "item") == 0)
                s_add_item (items, s_rss_item (node), &keyless);
    }
    else {
        snprintf (errbuf, errlen, "not an RSS or Atom feed (root element <%s>)",
                  root? (const char *) root->name: "none");
        zlistx_destroy (&items);
    }
    xmlFreeDoc (doc);
    if (keyless_p)
        *keyless_p = keyless;
    return items;
}
