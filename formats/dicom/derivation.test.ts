/**
 * The derived-source rule's reading of naturalized metadata (what OHIF hands Cornerstone3D): tilesr's
 * current and older wording, a one-item sequence given as the item, another tool's DCM 113085, and
 * an ordinary image. Files are covered by plugin/export/dicom-derived.test.ts (dicom-parser path).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { naturalEnhancement } from './derivation.ts';

const resampling = { CodeValue: '113085', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Spatial resampling' };

test('tilesr equipment: the last tilesr step, model from ManufacturerModelName, scale from the contribution', () => {
  const e = naturalEnhancement({
    DerivationDescription: 'AI-enhanced (tilesr medical-x4 x4), not for primary diagnosis; fidelity',
    ContributingEquipmentSequence: [
      { Manufacturer: 'GE MEDICAL SYSTEMS' },
      {
        Manufacturer: 'tilesr',
        ManufacturerModelName: 'medical-x2 fidelity',
        ContributionDescription: 'AI super-resolution x2 (medical-x2, variant fidelity)',
      },
      {
        Manufacturer: 'tilesr',
        ManufacturerModelName: 'medical-x4 fidelity',
        ContributionDescription:
          'AI super-resolution x4 (medical-x4, variant fidelity; source already enhanced: tilesr medical-x2 x2)',
      },
    ],
  });
  assert.deepEqual(
    { ...e, description: undefined },
    { by: 'tilesr', model: 'medical-x4', scale: 4, description: undefined },
  );
});

test('older wording in a Derivation Image functional group (one item given as the item)', () => {
  const e = naturalEnhancement({
    PerFrameFunctionalGroupsSequence: [
      {
        DerivationImageSequence: {
          DerivationDescription:
            'AI-enhanced, not for primary diagnosis. tilesr 0.1.0 super-resolution x2: model medical-x2 variant fidelity',
          DerivationCodeSequence: [resampling],
        },
      },
    ],
  });
  assert.equal(e?.by, 'tilesr');
  assert.deepEqual([e?.model, e?.scale], ['medical-x2', 2]);
});

test('DCM 113085 from another tool is a resampling by someone else; an ordinary image is none', () => {
  assert.deepEqual(naturalEnhancement({ DerivationCodeSequence: [resampling] }), { by: 'unknown' });
  assert.equal(
    naturalEnhancement({
      ImageType: ['DERIVED', 'SECONDARY'],
      DerivationDescription: 'Lossy JPEG compression',
      DerivationCodeSequence: [{ CodeValue: '113040', CodingSchemeDesignator: 'DCM' }],
      ContributingEquipmentSequence: [{ Manufacturer: 'ACME' }],
    }),
    undefined,
  );
});
