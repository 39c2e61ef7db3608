/** The actor of what the HA manager does by itself, in tasks and the audit trail (no account signs in as it). */
export const HA_USER = { id: 'system:ha', username: 'nimbox-ha' } as const;
