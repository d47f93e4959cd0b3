"""
Writes an Enhanced CT (multi-frame functional groups, PixelPresentation COLOR with a Supplemental
Palette Color LUT) made from the real CT fixture's pixels, as a scanner would send it to a PACS.
Usage: enhanced_ct.py SOURCE_CT OUT_PATH. dciodvfy finds no error in it (plugin/export tests check).
"""
import sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

src = pydicom.dcmread(sys.argv[1])
out_path = sys.argv[2]
ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1'
FRAMES = 2
pixels = src.pixel_array.astype(np.int16)
# the second frame: the first, mirrored (a second slice 5 mm further on)
stack = np.stack([pixels, pixels[:, ::-1]])


def item(**kw):
    d = Dataset()
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def seq(*items):
    return Sequence(list(items))


def code(value, scheme, meaning):
    return item(CodeValue=value, CodingSchemeDesignator=scheme, CodeMeaning=meaning)


ds = Dataset()
ds.SpecificCharacterSet = 'ISO_IR 100'
ds.ImageType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
ds.SOPClassUID = ENHANCED_CT
ds.SOPInstanceUID = generate_uid()
ds.StudyDate = src.StudyDate
ds.StudyTime = src.StudyTime
ds.ContentDate = src.ContentDate
ds.ContentTime = src.ContentTime
ds.AcquisitionDateTime = src.AcquisitionDate + src.AcquisitionTime
ds.AccessionNumber = ''
ds.Modality = 'CT'
ds.PatientPosition = 'HFS'
ds.AcquisitionDuration = 1.0
ds.Manufacturer = 'GE MEDICAL SYSTEMS'
ds.ManufacturerModelName = 'RHAPSODE'
ds.DeviceSerialNumber = '0001'
ds.SoftwareVersions = '05'
ds.ReferringPhysicianName = ''
ds.PatientName = src.PatientName
ds.PatientID = src.PatientID
ds.PatientBirthDate = ''
ds.PatientSex = 'O'
ds.StudyInstanceUID = src.StudyInstanceUID
ds.SeriesInstanceUID = generate_uid()
ds.StudyID = '1'
ds.SeriesNumber = '7'
ds.InstanceNumber = '1'
ds.FrameOfReferenceUID = src.FrameOfReferenceUID
ds.PositionReferenceIndicator = ''
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = 'MONOCHROME2'
ds.NumberOfFrames = str(FRAMES)
ds.Rows, ds.Columns = pixels.shape
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
ds.PixelRepresentation = 1
ds.ContentQualification = 'PRODUCT'
ds.BurnedInAnnotation = 'NO'
ds.RecognizableVisualFeatures = 'NO'
ds.LossyImageCompression = '00'
ds.PresentationLUTShape = 'IDENTITY'
ds.PixelPresentation = 'COLOR'
ds.VolumetricProperties = 'VOLUME'
ds.VolumeBasedCalculationTechnique = 'NONE'
ds.AcquisitionNumber = '1'
ds.AcquisitionContextSequence = seq()
# Supplemental Palette Color LUT: stored values 0..255 (soft tissue) shown as a warm ramp
n = 256
ramp = (np.arange(n, dtype=np.uint16) * 257)
ds.RedPaletteColorLookupTableDescriptor = [n, 0, 16]
ds.GreenPaletteColorLookupTableDescriptor = [n, 0, 16]
ds.BluePaletteColorLookupTableDescriptor = [n, 0, 16]
ds.RedPaletteColorLookupTableData = ramp.tobytes()
ds.GreenPaletteColorLookupTableData = (ramp[::-1]).tobytes()
ds.BluePaletteColorLookupTableData = np.minimum(ramp * 2, 65535).astype(np.uint16).tobytes()

ds.DimensionOrganizationSequence = seq(item(DimensionOrganizationUID=generate_uid()))
dim_org = ds.DimensionOrganizationSequence[0].DimensionOrganizationUID
ds.DimensionIndexSequence = seq(
    item(DimensionOrganizationUID=dim_org, DimensionIndexPointer=0x00200032,
         FunctionalGroupPointer=0x00209113, DimensionDescriptionLabel='Image Position'))

ipp = [float(v) for v in src.ImagePositionPatient]
shared = item(
    PixelMeasuresSequence=seq(item(PixelSpacing=list(src.PixelSpacing), SliceThickness='5')),
    PlaneOrientationSequence=seq(item(ImageOrientationPatient=list(src.ImageOrientationPatient))),
    PixelValueTransformationSequence=seq(item(RescaleIntercept='0', RescaleSlope='1', RescaleType='HU')),
    FrameVOILUTSequence=seq(item(WindowCenter='40', WindowWidth='400')),
    FrameAnatomySequence=seq(item(FrameLaterality='U',
                                  AnatomicRegionSequence=seq(code('69536005', 'SCT', 'Head')))),
    CTImageFrameTypeSequence=seq(item(FrameType=['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'],
                                      PixelPresentation='COLOR', VolumetricProperties='VOLUME',
                                      VolumeBasedCalculationTechnique='NONE')),
    CTAcquisitionTypeSequence=seq(item(AcquisitionType='SPIRAL',
                                       ConstantVolumeFlag='NO', FluoroscopyFlag='NO')),
    CTAcquisitionDetailsSequence=seq(item(DataCollectionDiameter='480', RotationDirection='CW',
                                          RevolutionTime=1.0, SingleCollimationWidth=5.0,
                                          TotalCollimationWidth=5.0, TableHeight='150',
                                          GantryDetectorTilt='0')),
    CTTableDynamicsSequence=seq(item(TableSpeed=10.0, TableFeedPerRotation=10.0, SpiralPitchFactor=1.0)),
    CTGeometrySequence=seq(item(DistanceSourceToDetector=1099.31, DistanceSourceToDataCollectionCenter=630.0)),
    CTReconstructionSequence=seq(item(ReconstructionAlgorithm='FILTER_BACK_PROJ',
                                      ConvolutionKernel='STANDARD', ConvolutionKernelGroup='SOFT_TISSUE',
                                      ImageFilter='NONE', ReconstructionDiameter='338.6716',
                                      ReconstructionPixelSpacing=[float(v) for v in src.PixelSpacing],
                                      ReconstructionAngle=360.0)),
    CTExposureSequence=seq(item(ExposureTimeInms=1000.0, XRayTubeCurrentInmA=200.0,
                                ExposureInmAs=200.0, ExposureModulationType='NONE')),
    CTXRayDetailsSequence=seq(item(KVP='120', FocalSpots=['0.7'], FilterType='BODY',
                                   FilterMaterial=['ALUMINUM'])),
    IrradiationEventIdentificationSequence=seq(item(IrradiationEventUID=generate_uid())),
)
ds.SharedFunctionalGroupsSequence = seq(shared)
per_frame = []
for f in range(FRAMES):
    per_frame.append(item(
        FrameContentSequence=seq(item(FrameAcquisitionNumber=1,
                                      FrameReferenceDateTime=ds.AcquisitionDateTime,
                                      FrameAcquisitionDateTime=ds.AcquisitionDateTime,
                                      FrameAcquisitionDuration=1000.0,
                                      DimensionIndexValues=[f + 1])),
        PlanePositionSequence=seq(item(ImagePositionPatient=[ipp[0], ipp[1], ipp[2] + 5 * f])),
        CTPositionSequence=seq(item(TablePosition=ipp[2] + 5 * f,
                                   ReconstructionTargetCenterPatient=[0.0, 0.0, ipp[2] + 5 * f],
                                   DataCollectionCenterPatient=[0.0, 0.0, ipp[2] + 5 * f])),
    ))
ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
ds.PixelData = stack.tobytes()

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = ENHANCED_CT
meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.file_meta = meta
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.preamble = b'\0' * 128
ds.save_as(out_path, write_like_original=False)
