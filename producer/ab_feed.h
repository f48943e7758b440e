/*  =========================================================================
    ab_feed - RSS 2.0 / RSS 1.0 / Atom 1.0 documents into plain items

    Pure parsing, no network: the feeds source (ab_source_feeds.c) fetches
    the bytes and this module turns them into items, so the parser can be
    unit-tested and fuzzed on its own.  libxml2 does the XML (it honours
    the document's encoding declaration, converting e.g. ISO-8859-1 to
    UTF-8, and never fetches anything: no network, no external entities)
    and the HTML: item bodies in description / content:encoded / Atom
    content are real HTML, parsed by libxml2's HTML parser and flattened
    to text with paragraph breaks kept, never stripped by pattern.

    Everything returned is UTF-8 and owned by the caller.
    =========================================================================
*/
#ifndef AB_FEED_H_INCLUDED
#define AB_FEED_H_INCLUDED

#include <czmq.h>

typedef struct {
    char *key;          //  dedup key: guid / Atom id, else link, else title
    char *title;        //  plain text, "" if none
    char *link;         //  "" if none
    char *published;    //  as written in the feed (RFC 822 or RFC 3339), "" if none
    char *body;         //  plain text: paragraphs separated by a blank line
} ab_feed_item_t;

void ab_feed_item_destroy (ab_feed_item_t **self_p);

//  Parse a feed document.  Returns a list of items in document order (the
//  list owns them and frees them with zlistx_destroy), or NULL with the
//  reason in errbuf (malformed XML with its line, not a feed).  base_url
//  only labels messages.  Items without any key (no id, link or title)
//  are left out and counted in *keyless_p (may be NULL) so the caller
//  can report them.
zlistx_t *ab_feed_parse (const char *data, size_t size, const char *base_url,
                         size_t *keyless_p, char *errbuf, size_t errlen);

//  Turn an HTML fragment (UTF-8) into text: block elements (p, div, li,
//  headings, ...) become paragraph breaks, <br> a line break, script and
//  style are dropped, runs of white space collapse to one space, entities
//  are decoded.  Returns a heap string (caller frees), "" for no text.
char *ab_feed_html_to_text (const char *html, size_t size);

#endif
