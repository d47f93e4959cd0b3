/**
 * GeoKey directory encoding (GeoTIFF 1.1, OGC 19-008): geotiff.js's getGeoKeys() object (names ->
 * values) back to the three tags GeoKeyDirectory (34735), GeoDoubleParams (34736) and
 * GeoAsciiParams (34737). geotiff.js drops each key's storage type, and a double key such as
 * ProjFalseEastingGeoKey = 500000 looks like a short, so the type comes from the spec's table here.
 */
import { FieldType, type TiffField } from './tiff-writer.ts';

type KeyType = 'short' | 'double' | 'ascii';

/** Every key of GeoTIFF 1.1 (the ones geotiff.js names), with its spec type. */
const KEYS: Record<string, [number, KeyType]> = {
  GTModelTypeGeoKey: [1024, 'short'],
  GTRasterTypeGeoKey: [1025, 'short'],
  GTCitationGeoKey: [1026, 'ascii'],
  GeographicTypeGeoKey: [2048, 'short'],
  GeogCitationGeoKey: [2049, 'ascii'],
  GeogGeodeticDatumGeoKey: [2050, 'short'],
  GeogPrimeMeridianGeoKey: [2051, 'short'],
  GeogLinearUnitsGeoKey: [2052, 'short'],
  GeogLinearUnitSizeGeoKey: [2053, 'double'],
  GeogAngularUnitsGeoKey: [2054, 'short'],
  GeogAngularUnitSizeGeoKey: [2055, 'double'],
  GeogEllipsoidGeoKey: [2056, 'short'],
  GeogSemiMajorAxisGeoKey: [2057, 'double'],
  GeogSemiMinorAxisGeoKey: [2058, 'double'],
  GeogInvFlatteningGeoKey: [2059, 'double'],
  GeogAzimuthUnitsGeoKey: [2060, 'short'],
  GeogPrimeMeridianLongGeoKey: [2061, 'double'],
  GeogTOWGS84GeoKey: [2062, 'double'],
  ProjectedCSTypeGeoKey: [3072, 'short'],
  PCSCitationGeoKey: [3073, 'ascii'],
  ProjectionGeoKey: [3074, 'short'],
  ProjCoordTransGeoKey: [3075, 'short'],
  ProjLinearUnitsGeoKey: [3076, 'short'],
  ProjLinearUnitSizeGeoKey: [3077, 'double'],
  ProjStdParallel1GeoKey: [3078, 'double'],
  ProjStdParallel2GeoKey: [3079, 'double'],
  ProjNatOriginLongGeoKey: [3080, 'double'],
  ProjNatOriginLatGeoKey: [3081, 'double'],
  ProjFalseEastingGeoKey: [3082, 'double'],
  ProjFalseNorthingGeoKey: [3083, 'double'],
  ProjFalseOriginLongGeoKey: [3084, 'double'],
  ProjFalseOriginLatGeoKey: [3085, 'double'],
  ProjFalseOriginEastingGeoKey: [3086, 'double'],
  ProjFalseOriginNorthingGeoKey: [3087, 'double'],
  ProjCenterLongGeoKey: [3088, 'double'],
  ProjCenterLatGeoKey: [3089, 'double'],
  ProjCenterEastingGeoKey: [3090, 'double'],
  ProjCenterNorthingGeoKey: [3091, 'double'],
  ProjScaleAtNatOriginGeoKey: [3092, 'double'],
  ProjScaleAtCenterGeoKey: [3093, 'double'],
  ProjAzimuthAngleGeoKey: [3094, 'double'],
  ProjStraightVertPoleLongGeoKey: [3095, 'double'],
  ProjRectifiedGridAngleGeoKey: [3096, 'double'],
  VerticalCSTypeGeoKey: [4096, 'short'],
  VerticalCitationGeoKey: [4097, 'ascii'],
  VerticalDatumGeoKey: [4098, 'short'],
  VerticalUnitsGeoKey: [4099, 'short'],
};

const TAG_DIRECTORY = 34735;
const TAG_DOUBLES = 34736;
const TAG_ASCII = 34737;

function numbers(v: unknown): number[] | undefined {
  if (typeof v === 'number') return [v];
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = Array.from(v as ArrayLike<unknown>);
    return a.every((x) => typeof x === 'number') ? (a as number[]) : undefined;
  }
  return undefined;
}

/** The three GeoKey tags, plus the names of keys that could not be encoded (unknown or mistyped). */
export function encodeGeoKeys(keys: Record<string, unknown>): { fields: TiffField[]; skipped: string[] } {
  const entries: Array<[number, number, number, number]> = [];
  const doubles: number[] = [];
  let ascii = '';
  const skipped: string[] = [];
  const known = Object.entries(keys)
    .map(([name, value]) => ({ name, value, spec: KEYS[name] }))
    .sort((a, b) => (a.spec?.[0] ?? 0) - (b.spec?.[0] ?? 0));
  for (const { name, value, spec } of known) {
    if (!spec || value === null || value === undefined) {
      skipped.push(name);
      continue;
    }
    const [id, type] = spec;
    const nums = numbers(value);
    if (type === 'ascii' && typeof value === 'string') {
      // GeoAsciiParams: each value ends with '|', which the count includes
      entries.push([id, TAG_ASCII, value.length + 1, ascii.length]);
      ascii += value + '|';
    } else if (
      type === 'short' &&
      nums?.length === 1 &&
      Number.isInteger(nums[0]) &&
      (nums[0] as number) >= 0
    ) {
      entries.push([id, 0, 1, nums[0] as number]);
    } else if (type === 'double' && nums && nums.length > 0) {
      entries.push([id, TAG_DOUBLES, nums.length, doubles.length]);
      doubles.push(...nums);
    } else skipped.push(name);
  }
  if (entries.length === 0) return { fields: [], skipped };
  const fields: TiffField[] = [
    { tag: TAG_DIRECTORY, type: FieldType.SHORT, value: [1, 1, 0, entries.length, ...entries.flat()] },
  ];
  if (doubles.length) fields.push({ tag: TAG_DOUBLES, type: FieldType.DOUBLE, value: doubles });
  if (ascii) fields.push({ tag: TAG_ASCII, type: FieldType.ASCII, value: ascii });
  return { fields, skipped };
}

/** GTRasterTypeGeoKey = 2 (PixelIsPoint): the tiepoint names a pixel centre, not its corner. */
export function isPixelIsPoint(keys: Record<string, unknown>): boolean {
  return keys.GTRasterTypeGeoKey === 2;
}

/**
 * Georeferencing tags for a GDAL-order geotransform (corner-based, as formats/geotiff/info.ts
 * delivers it): ModelPixelScale + ModelTiepoint for north-up grids, ModelTransformation when the
 * geotransform has rotation terms. PixelIsPoint files get the origin moved half a pixel back.
 */
export function georeferenceFields(gt: readonly number[], pixelIsPoint: boolean): TiffField[] {
  const [x0 = 0, pw = 1, rr = 0, y0 = 0, cr = 0, ph = -1] = gt;
  let ox = x0;
  let oy = y0;
  if (pixelIsPoint) {
    ox += pw * 0.5 + rr * 0.5;
    oy += cr * 0.5 + ph * 0.5;
  }
  if (rr !== 0 || cr !== 0)
    return [
      {
        tag: 34264,
        type: FieldType.DOUBLE,
        value: [pw, rr, 0, ox, cr, ph, 0, oy, 0, 0, 0, 0, 0, 0, 0, 1],
      },
    ];
  return [
    { tag: 33550, type: FieldType.DOUBLE, value: [pw, -ph, 0] },
    { tag: 33922, type: FieldType.DOUBLE, value: [0, 0, 0, ox, oy, 0] },
  ];
}
