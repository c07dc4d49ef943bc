/**
 * Where the axial view writes each outline's label (PS L, MF R, ...): centred above the outline's top,
 * then spread apart where two would overlap. Multifidus left and right lie a spinous process apart, so
 * their labels, each centred on its own outline, were written over each other ("MF RMF L").
 * Labels on one text line (their boxes overlap vertically) are kept in their left-to-right order; a run of
 * labels that would overlap is laid side by side (the gap between) and centred where their outlines'
 * centres average, so each stays as near its outline as the others allow.
 */
export interface LabelBox {
  /** Centre x and baseline y, in the canvas's pixels. */
  readonly x: number;
  readonly y: number;
  /** Text width and height in the same pixels. */
  readonly w: number;
  readonly h: number;
}

/** The centre x of each label after spreading (y unchanged), in the order given. */
export function spreadLabels(boxes: readonly LabelBox[], gap = 4): number[] {
  const xs = boxes.map((b) => b.x);
  // Lines: labels whose boxes overlap vertically with the line's first label.
  const byY = boxes.map((_, i) => i).sort((i, j) => boxes[i]!.y - boxes[j]!.y || i - j);
  const lines: number[][] = [];
  for (const i of byY) {
    const line = lines[lines.length - 1];
    const first = line ? boxes[line[0]!]! : undefined;
    if (line && first && Math.abs(boxes[i]!.y - first.y) < (boxes[i]!.h + first.h) / 2) line.push(i);
    else lines.push([i]);
  }
  for (const line of lines) {
    const order = [...line].sort((i, j) => boxes[i]!.x - boxes[j]!.x || i - j);
    // Clusters of labels laid side by side, each centred on the mean of its labels' own centres.
    type Cluster = { members: number[]; offsets: number[]; width: number; centre: number };
    const clusters: Cluster[] = [];
    const place = (c: Cluster) => c.members.forEach((m, n) => (xs[m] = c.centre - c.width / 2 + c.offsets[n]!));
    for (const i of order) {
      let c: Cluster = { members: [i], offsets: [boxes[i]!.w / 2], width: boxes[i]!.w, centre: boxes[i]!.x };
      // Merge with the cluster on the left while they would overlap.
      for (;;) {
        const prev = clusters[clusters.length - 1];
        if (!prev || prev.centre + prev.width / 2 + gap <= c.centre - c.width / 2) break;
        clusters.pop();
        const members = [...prev.members, ...c.members];
        const offsets = [...prev.offsets, ...c.offsets.map((o) => o + prev.width + gap)];
        const width = prev.width + gap + c.width;
        // centred so that the members' mean x is the mean of their own centres
        const own = members.reduce((t, m) => t + boxes[m]!.x, 0) / members.length;
        const laid = offsets.reduce((t, o) => t + o, 0) / offsets.length - width / 2;
        c = { members, offsets, width, centre: own - laid };
      }
      clusters.push(c);
    }
    clusters.forEach(place);
  }
  return xs;
}
