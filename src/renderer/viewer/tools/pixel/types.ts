/**
 * What every pixel outline tool module declares (one file per tool in this folder; the registry is
 * ../pixelTools.ts): its data (id, label, key, hint from src/shared/tools.ts), its options (what the
 * tool-options bar shows: kind, label, range, default), its size step ('[' / ']', Ctrl+wheel), the disk
 * it shows under the pointer, and its pointer actions (a press starts a gesture; moves, the release and
 * Esc go to it) with their commit step (through the store's actions, one undo step per gesture).
 */
import type { Roi } from '../../../../core/annotations/document';
import type { Vec3 } from '../../../../core/geometry/vec3';
import type { PointIj } from '../../../../core/roi/rasterize';
import type { HuVolume } from '../../../../core/volume';
import type { ToolInfo } from '../../../../shared/tools';
import type { AppState, OutlineResult, OutlineTarget } from '../../../state/types';

/** One primary-button gesture (press, moves, release), in slice pixels. */
export interface PixelGesture {
  /** What the overlay draws along the path while the button is held ('oval': centred on the press, through the pointer). */
  preview: 'disk' | 'line' | 'limit' | 'oval' | 'none';
  /** The pointer moved from `from` to `to` with the button held (live tools apply each segment). */
  move?(from: PointIj, to: PointIj): void;
  /** The button was released; path = every point of the gesture (at least the press point). */
  end(path: readonly PointIj[]): void;
  /** Esc while the button is held: the gesture ends without effect (a live stroke is reverted); its release then does nothing. */
  cancel(): void;
}

interface OptionBase {
  /** Unique within the tool; with the tool's id, the key of its value in the store's toolOptions when it has no get/set. */
  id: string;
  /** Tooltip of the option's group. */
  title?: string | ((s: AppState) => string);
  /** Shown only when this holds (always when absent). */
  visible?(s: AppState): boolean;
  /** data-testid of the control. */
  testId?: string;
}

/**
 * Where an option's value lives: get/set on the store (the built-in tools' named state, which the rest of
 * the app and its tests read), or, without them, the store's generic toolOptions under `tool.option`,
 * starting at `default`. A new tool needs only `default`.
 */
interface Valued<T> {
  default: T;
  get?(s: AppState): T;
  set?(s: AppState, value: T): void;
}

export type PixelToolOption =
  /** A checkbox with its label after it. */
  | (OptionBase & Valued<boolean> & { kind: 'toggle'; label: string })
  /** A slider with its value and unit in bold after it. */
  | (OptionBase & Valued<number> & { kind: 'slider'; label: string; min: number; max: number; unit: string; ariaLabel?: string; valueTestId?: string })
  /** A select of numeric choices. */
  | (OptionBase & Valued<number> & { kind: 'select'; label: string; choices: readonly { value: number; label: string }[]; ariaLabel?: string })
  /** The HU range ('<of> range', two sliders, the range in bold, reset back to the document's muscle range): the store's toolRange. */
  | (OptionBase & { kind: 'huRange'; of: string })
  /** A text (a readout, a note), with an optional button. */
  | (OptionBase & {
      kind: 'note';
      label?: string;
      text(s: AppState): string;
      suffix?: string;
      dim?: boolean;
      action?: { label: string; testId?: string; visible(s: AppState): boolean; run(s: AppState): void };
    });

export interface PixelToolModule<Id extends string = string> extends ToolInfo<Id> {
  /** What the tool-options bar shows while the tool is active, in order. */
  options: readonly PixelToolOption[];
  /** '[' / ']' and Ctrl+wheel (delta -1 / +1); absent: the tool has no size and the keys do nothing. */
  adjustSize?(s: AppState, delta: 1 | -1): void;
  /** The colour of the brush disk that follows the pointer (radius: the store's brushRadiusPx); absent: no disk. */
  diskColour?: string;
  /**
   * A press of the primary button at p (shift: Shift held) starts a gesture; its moves, release and Esc
   * go to it, and its commit step changes the document through state().pixelContext (a module reads its
   * own option values with option()).
   */
  start(state: () => AppState, p: PointIj, shift: boolean): PixelGesture;
}

type ValuedOption = Extract<PixelToolOption, { default: unknown }>;

/** An option's value now: its get, else the store's toolOptions entry, else its default. */
export function optionValue<O extends ValuedOption>(s: AppState, toolId: string, o: O): O['default'] {
  if (o.get) return o.get(s);
  const v = s.toolOptions[`${toolId}.${o.id}`];
  return (v === undefined ? o.default : v) as O['default'];
}

/** Set an option's value: its set, else the store's toolOptions entry. */
export function setOptionValue<O extends ValuedOption>(s: AppState, toolId: string, o: O, value: O['default']): void {
  if (o.set) (o.set as (s: AppState, v: O['default']) => void)(s, value);
  else s.setToolOption(`${toolId}.${o.id}`, value);
}

/** The option of a tool by id (for a module's own commit step: `option(state(), tool, 'radius')`). */
export function option(s: AppState, tool: PixelToolModule, id: string): boolean | number | undefined {
  const o = tool.options.find((x) => x.id === id);
  return o && 'default' in o ? optionValue(s, tool.id, o) : undefined;
}

/** The slice shown, as the pixel tools work on it: its HU pixels and grid. */
export interface SliceHere {
  volume: HuVolume;
  k: number;
  hu: Int16Array | Float32Array;
  columns: number;
  rows: number;
}

/**
 * What a pixel tool's commit step works with (built once by the store's outline-tools slice, the store's
 * pixelContext): the slice shown, the outline acted on, slice pixels <-> LPS, the document changes
 * (through the annotation slice's guard rails and history keys) and the message line.
 */
export interface PixelToolContext {
  state(): AppState;
  set(partial: Partial<AppState>): void;
  newId(): string;
  /** The slice shown; null when there is no volume or document, or a question is open. */
  here(): SliceHere | null;
  /** The outline the tools act on: the selected one on this slice, else the active level/muscle/side's on this slice. */
  target(): Roi | null;
  /** An outline's points as pixels of its slice. */
  toIj(volume: HuVolume, roi: Roi): PointIj[];
  toLps(volume: HuVolume, k: number, ij: readonly PointIj[]): Vec3[];
  /** A new outline from pixels of the slice shown, through addOutline's guard rails (target: its label, slice and history key). */
  addOutline(ij: readonly PointIj[], target?: OutlineTarget): OutlineResult;
  /** Replace an outline's points (pixels of its slice); one undo step per key. */
  edit(roi: Roi, ij: readonly PointIj[], key: string): void;
  /** A fresh history key for one gesture or command. */
  nextKey(prefix: string): string;
  /** Remember the document as it is before the gesture with this key changes it (once per key), for cancelStroke. */
  beginGesture(key: string): void;
  hint(text: string | null, kind?: 'info' | 'error'): void;
  /** Say that nothing on this slice is selected to `what`. */
  noTarget(what: string): void;
}
