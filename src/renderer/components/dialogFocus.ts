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
