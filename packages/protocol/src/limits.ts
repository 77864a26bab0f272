/**
 * Every limit the server enforces and the clients show, defined once: the core checks them, the
 * request schemas use them, the web and the widget bound their inputs with them. No imports, so the
 * core and the widget's bundle may take them without anything else.
 */

/** A message's text, in characters (the core refuses longer; the composers stop there). */
export const MAX_TEXT_LENGTH = 5000;
/** A client's id for a message (its retries reuse it). */
export const MAX_CLIENT_ID_LENGTH = 64;
/** An id in a request. */
export const MAX_ID_LENGTH = 64;

/** An uploaded image, in bytes. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** The image types an upload may be. */
export const ALLOWED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** RT-4: an agent's cap of concurrent conversations. */
export const MIN_CAP = 1;
export const MAX_CAP = 500;

/** TEAM-3: a quick reply's title and text. */
export const MAX_QUICK_REPLY_TITLE = 50;
export const MAX_QUICK_REPLY_TEXT = 2000;

/** A password, in characters. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;

/** RT-10 (issue #18): a transfer's note for the next agent. */
export const MAX_TRANSFER_NOTE = 500;

/** CMP-1 … CMP-5: a rule-pack edit's own phrases, and each one's length. */
export const MAX_CUSTOM_PHRASES = 200;
export const MAX_PHRASE_LENGTH = 50;
/** Issue #17: a shop's compliance allow list — its sentences, and each one's length. */
export const MAX_ALLOW_LIST = 500;
export const MAX_ALLOW_LIST_TEXT = 200;
/** CMP-3: the shop's own domains, allowed in messages. */
export const MAX_ALLOWED_DOMAINS = 50;

/** The most messages one page of a conversation's history holds. */
export const MAX_MESSAGES_PAGE = 200;

/** CRM-7: a reply to a review — one, of at most this many characters (what the platforms take). */
export const MAX_REVIEW_REPLY_LENGTH = 500;
