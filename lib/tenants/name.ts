/**
 * A tenant's name (a slug: lower-case letters, digits and inner hyphens, 1–64 characters). Kept apart from
 * ./index (which reads the database) so that lib/auth's realms can check names without loading it.
 */
export const TENANT_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
