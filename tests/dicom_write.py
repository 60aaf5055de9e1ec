"""One helper for the tests that need a plain DICOM: an 8-bit MONOCHROME2
secondary capture around a numpy array (H x W, or frames x H x W), written by
pydicom, with a made-up patient name and ID that no leapfrog output may contain.
(tests/dicom_make.py writes the many kinds test_data_dicom.c needs.)"""
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

PATIENT_ID = "PID-DO-NOT-LEAK"


def write_mono8(dest, arr, spacing=None):
    """dest: a path or a binary file object; arr: uint8 (H, W) or (frames, H, W);
    spacing: (row, column) mm for Pixel Spacing, or None."""
    ds, meta = Dataset(), FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientName, ds.PatientID = "OT", "Nobody^Test", PATIENT_ID
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation = 7, 0
    if arr.ndim == 3:
        ds.NumberOfFrames = arr.shape[0]
    ds.Rows, ds.Columns = arr.shape[-2:]
    if spacing:
        ds.PixelSpacing = [str(v) for v in spacing]
    ds.PixelData = arr.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(dest, write_like_original=False)
