/** The part of dcmjs (which ships no types) that the DICOM writer uses. */
declare module 'dcmjs' {
  /** A naturalized dataset: keyword -> value; sequences are arrays of datasets. */
  export type NaturalDataset = { [keyword: string]: unknown; _vrMap?: Record<string, string> };
  /** A denaturalized dataset: tag hex -> { vr, Value }. */
  export type RawDataset = Record<string, unknown>;
  export interface DicomDictInstance {
    meta: RawDataset;
    dict: RawDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  interface Dcmjs {
    data: {
      DicomMessage: {
        readFile(
          buffer: ArrayBuffer,
          options?: { ignoreErrors?: boolean; noCopy?: boolean },
        ): DicomDictInstance;
      };
      DicomDict: new (meta: RawDataset) => DicomDictInstance;
      DicomMetaDictionary: {
        naturalizeDataset(dict: RawDataset): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): RawDataset;
      };
    };
    log: { getLevel(): number; setLevel(level: number | string): void };
  }
  const dcmjs: Dcmjs;
  export default dcmjs;
}
