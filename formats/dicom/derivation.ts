/**
 * Whether a DICOM image is itself a super-resolution result: a Derivation Code DCM 113085 "Spatial
 * resampling" (top level or in a functional group's Derivation Image Sequence), or tilesr named in
 * the Contributing Equipment Sequence or the Derivation Description. Model and scale of the earlier
 * step come from tilesr's own entries (old and current wording). Read from a dicom-parser DataSet
 * (files) or from naturalized metadata (DICOM JSON keywords, as Cornerstone3D/OHIF hand it over).
 */
import type { DataSet } from 'dicom-parser';
import type { PriorEnhancement } from '../raster.ts';

/** Keyword -> dicom-parser tag of what the rule reads. */
const TAGS = {
  DerivationDescription: 'x00082111',
  DerivationCodeSequence: 'x00089215',
  DerivationImageSequence: 'x00089124',
  CodeValue: 'x00080100',
  CodingSchemeDesignator: 'x00080102',
  ContributingEquipmentSequence: 'x0018a001',
  Manufacturer: 'x00080070',
  ManufacturerModelName: 'x00081090',
  ContributionDescription: 'x0018a003',
  SharedFunctionalGroupsSequence: 'x52009229',
  PerFrameFunctionalGroupsSequence: 'x52009230',
};
type Keyword = keyof typeof TAGS;

/** One dataset or sequence item, whatever it was read with. */
interface Node {
  text(key: Keyword): string | undefined;
  items(key: Keyword): Node[];
}

function parserNode(ds: DataSet): Node {
  return {
    text: (key) => ds.string(TAGS[key])?.trim() || undefined,
    items: (key) =>
      (ds.elements[TAGS[key]]?.items ?? []).flatMap((it) => (it.dataSet ? [parserNode(it.dataSet)] : [])),
  };
}

function naturalNode(obj: Record<string, unknown>): Node {
  return {
    text: (key) => {
      const v = obj[key];
      const s = Array.isArray(v) ? v[0] : v;
      return typeof s === 'string' || typeof s === 'number' ? String(s).trim() || undefined : undefined;
    },
    // a sequence of one item may come as the item itself
    items: (key) => {
      const v = obj[key];
      const list = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
      return list.flatMap((it) =>
        it && typeof it === 'object' ? [naturalNode(it as Record<string, unknown>)] : [],
      );
    },
  };
}

/**
 * Model id and scale of the step a tilesr text describes, from its start (later parts may name an
 * earlier step): Contribution Description "AI super-resolution x2 (medical-x2, ...", Derivation
 * Description "AI-enhanced (tilesr medical-x2 x2), ..." or the older "AI-enhanced, not for primary
 * diagnosis. tilesr 0.1.0 super-resolution x2: model medical-x2 ...".
 */
function parseStep(s: string): { model?: string; scale?: number } {
  const contribution = /^AI super-resolution x(\d+) \(([A-Za-z0-9._-]+)/.exec(s);
  if (contribution) return { model: contribution[2], scale: Number(contribution[1]) };
  const lead = /^AI-enhanced \(tilesr ([A-Za-z0-9._-]+) x(\d+)\)/.exec(s);
  if (lead) return { model: lead[1], scale: Number(lead[2]) };
  const older =
    /^AI-enhanced, not for primary diagnosis\. tilesr \S+ super-resolution x(\d+): model ([A-Za-z0-9._-]+)/.exec(
      s,
    );
  return older ? { model: older[2], scale: Number(older[1]) } : {};
}

function detect(ds: Node): PriorEnhancement | undefined {
  // the top level and each functional group's Derivation Image item may hold derivation attributes
  const groups = [
    ...ds.items('SharedFunctionalGroupsSequence'),
    ...ds.items('PerFrameFunctionalGroupsSequence'),
  ];
  const holders = [ds, ...groups.flatMap((g) => g.items('DerivationImageSequence'))];
  const description = holders.map((h) => h.text('DerivationDescription')).find((d) => d !== undefined);
  const resampled = holders.some((h) =>
    h
      .items('DerivationCodeSequence')
      .some((c) => c.text('CodeValue') === '113085' && c.text('CodingSchemeDesignator') === 'DCM'),
  );
  // the latest tilesr step is the last tilesr item (each step appends its equipment)
  const ours = ds
    .items('ContributingEquipmentSequence')
    .filter((e) => e.text('Manufacturer')?.toLowerCase() === 'tilesr')
    .at(-1);
  const namesTilesr = description !== undefined && /\btilesr\b/i.test(description);
  if (!ours && !namesTilesr && !resampled) return undefined;
  if (!ours && !namesTilesr) return { by: 'unknown', ...(description ? { description } : {}) };
  const modelName = ours?.text('ManufacturerModelName')?.split(' ')[0];
  const step = {
    ...(description ? parseStep(description) : {}),
    ...parseStep(ours?.text('ContributionDescription') ?? ''),
    ...(modelName ? { model: modelName } : {}),
  };
  return {
    by: 'tilesr',
    ...(step.model ? { model: step.model } : {}),
    ...(step.scale ? { scale: step.scale } : {}),
    ...(description ? { description } : {}),
  };
}

/** The earlier super-resolution step a parsed file records, if any. */
export function readEnhancement(ds: DataSet): PriorEnhancement | undefined {
  return detect(parserNode(ds));
}

/** The same from naturalized metadata (keywords: Cornerstone3D's / OHIF's 'instance' module, DICOM JSON naturalized). */
export function naturalEnhancement(instance: Record<string, unknown>): PriorEnhancement | undefined {
  return detect(naturalNode(instance));
}
