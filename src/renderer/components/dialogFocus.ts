/**
 * Tab / Shift+Tab inside a modal dialog: focus cycles through its controls (the selector picks them) and
 * never leaves it for the app behind. The one keyboard rule the app's dialogs share (questions, the
 * save conflict, accepting flags).
 */
export function cycleFocus(e: { key: string; shiftKey: boolean; preventDefault(): void }, container: HTMLElement | null, selector = 'button'): void {
  if (e.key !== 'Tab') return;
  const items = [...(container?.querySelectorAll<HTMLElement>(selector) ?? [])];
  const at = items.indexOf(document.activeElement as HTMLElement);
  e.preventDefault();
  items[(at + (e.shiftKey ? items.length - 1 : 1)) % items.length]?.focus();
}

/**
 * The keys of a dialog that asks for a reason (accepting flags, reopening a signed-off read): Escape
 * cancels, Enter in the reason's text area confirms (Shift+Enter is a new line), Tab cycles through the
 * text area and the enabled buttons; no key reaches the app behind.
 */
export function reasonDialogKeys(e: React.KeyboardEvent, container: HTMLElement | null, confirm: () => void, cancel: () => void): void {
  if (e.key === 'Escape') {
    e.preventDefault();
    cancel();
  } else if (e.key === 'Enter' && !e.shiftKey && (e.target as HTMLElement).tagName === 'TEXTAREA') {
    e.preventDefault();
    confirm();
  } else cycleFocus(e, container, 'textarea, button:not([disabled])');
  e.stopPropagation();
}
