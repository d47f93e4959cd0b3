/**
 * Inference blocks: the missing cells of a view merged into rectangles of whole cells so neighbouring
 * cells share one halo (each cell is still stored, checked and drawn on its own). The first visible
 * cell (nearest the centre) runs alone and first, so the first tile arrives as soon as with one
 * inference per cell; the rest of the view follows in merged blocks.
 */
import type { Priority } from '../pipeline/scheduler.ts';
import { growRect } from '../pipeline/tile.ts';
import type { Rect } from '../pipeline/tiler.ts';
import { boundingRect, cellRect, type Cell } from './grid.ts';
import { gridSize } from './native.ts';
import type { LiveImage } from './types.ts';

/** One inference request: a rectangle of whole cells of one frame. */
export interface Block {
  image: LiveImage;
  cells: Cell[];
  rect: Rect;
  priority: Priority;
}

/** How a view's cells become blocks. */
export interface BlockPlan {
  /** Cell side (LR px). */
  tileSize: number;
  /** Block side in whole cells (1: one inference per cell). */
  cells: number;
  /** LR px of context per side (the one halo rule), to weigh the ways to split a group. */
  halo: number;
}

function block(image: LiveImage, plan: BlockPlan, group: Cell[], priority: Priority): Block {
  const T = plan.tileSize;
  const { width, height } = gridSize(image);
  const rect = boundingRect(group.map(([c, r]) => cellRect(c, r, T, width, height))) as Rect;
  const cellsIn: Cell[] = [];
  for (let r = rect.y / T; r * T < rect.y + rect.height; r++)
    for (let c = rect.x / T; c * T < rect.x + rect.width; c++) cellsIn.push([c, r]);
  return { image, cells: cellsIn, rect, priority };
}

/** LR px the model computes for blocks (rect + halo, clamped to the image). */
function cost(image: LiveImage, plan: BlockPlan, blocks: Block[]): number {
  const { width, height } = gridSize(image);
  return blocks.reduce((n, b) => {
    const r = growRect(b.rect, plan.halo, width, height);
    return n + r.width * r.height;
  }, 0);
}

/**
 * Cells of a group split into bands that leave out `alone`: rows above it, its row left of it, its
 * row right of it, rows below it (each band's bounding box, so no band recomputes `alone`).
 */
function around(group: Cell[], alone: Cell): Cell[][] {
  const [ac, ar] = alone;
  const parts: Cell[][] = [
    group.filter(([, r]) => r < ar),
    group.filter(([c, r]) => r === ar && c < ac),
    group.filter(([c, r]) => r === ar && c > ac),
    group.filter(([, r]) => r > ar),
  ];
  return parts.filter((p) => p.length > 0);
}

/**
 * Groups `cells` into blocks: cells of one plan.cells x plan.cells group (counted from the first row
 * and column of `cells`) form one block, their bounding box (so it may include a stored cell:
 * recomputed, never drawn differently); blocks in the order of their first cell in `cells` (centre
 * first). With `firstAlone` and blocks of more than one cell, the first cell is a block of its own,
 * first; a group around it is then either its bounding box (computing that cell again as context,
 * one halo) or the bands around the cell, whichever computes fewer LR px.
 */
export function groupBlocks(
  image: LiveImage,
  cells: Cell[],
  plan: BlockPlan,
  priority: Priority,
  firstAlone = false,
): Block[] {
  const first = cells[0];
  if (!first) return [];
  const b = plan.cells;
  const alone = firstAlone && b > 1 ? first : undefined;
  const c0 = Math.min(...cells.map(([c]) => c));
  const r0 = Math.min(...cells.map(([, r]) => r));
  const groups = new Map<string, Cell[]>();
  for (const cell of alone ? cells.slice(1) : cells) {
    const g = `${Math.floor((cell[0] - c0) / b)},${Math.floor((cell[1] - r0) / b)}`;
    const list = groups.get(g) ?? [];
    list.push(cell);
    groups.set(g, list);
  }
  const out: Block[] = alone ? [block(image, plan, [alone], priority)] : [];
  for (const group of groups.values()) {
    const whole = block(image, plan, group, priority);
    const covers = alone && whole.cells.some(([c, r]) => c === alone[0] && r === alone[1]);
    const parts = covers ? around(group, alone).map((p) => block(image, plan, p, priority)) : [];
    if (covers && cost(image, plan, parts) < cost(image, plan, [whole])) out.push(...parts);
    // the first cell is made (and stored) by its own block; this one only gives it as context
    else out.push({ ...whole, cells: whole.cells.filter(([c, r]) => c !== alone?.[0] || r !== alone[1]) });
  }
  return out;
}
