const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);

/** The modifier of shortcuts on this platform, and how it is shown. */
export const MOD = isMac ? '⌘' : 'Ctrl';
export const isModKey = (e: { metaKey: boolean; ctrlKey: boolean }) => (isMac ? e.metaKey : e.ctrlKey);
