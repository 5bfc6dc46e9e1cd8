/** The HTML allowlist lives in the protocol (the browser reads it too); re-exported for the host. */
export { ALLOWED_ATTRIBUTES, HTML_TAGS, SVG_ATTRIBUTES, SVG_TAGS } from '../protocol/html-policy.js';
