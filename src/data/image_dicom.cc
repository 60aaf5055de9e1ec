// DICOM decoding through DCMTK behind lf_dicom.h's C interface (the only C++
// file of the toolkit). DCMTK parses the dataset and decompresses one frame at a
// time (getUncompressedFrame); the grey mapping (rescale, VOI, MONOCHROME1) is
// done here, in double precision, so it follows lf_dicom.h's formulas exactly.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <new>

extern "C" {
#include "data/image_internal.h"
#include "leapfrog/lf_dicom.h"
}

#define LF_DICOM_MAX_FRAMES 65536

enum voi_kind { VOI_NONE, VOI_LUT, VOI_LINEAR, VOI_LINEAR_EXACT, VOI_SIGMOID, VOI_MINMAX, VOI_FULL };

struct lf_dicom {
  DcmFileFormat *ff;
  DcmDataset *ds;
  DcmPixelData *pix;
  lf_dicom_info info;
  char *name;
  int high_bit, planar, encapsulated;
  uint32_t frame_size; // bytes of one decoded frame
  voi_kind voi;
  double lo, hi;       // FULL: the range of the rescaled stored bits
  uint16_t *lut;       // VOI LUT entries
  long lut_entries, lut_first;
  int lut_bits;
  int next_frame;      // the frame whose first fragment is next_fragment
  Uint32 next_fragment;
};

// A memory stream that, like DCMTK's file stream, can make a factory to read a
// value later. With one, DcmElement::read skips a value longer than
// DCM_MaxReadLength instead of allocating its declared length first: a value that
// claims more bytes than the buffer holds fails the skip (an error) and never
// costs memory. (A plain DcmInputBufferStream has no factory, so a 22-byte file
// declaring a 2.4 GB element made DCMTK allocate 2.4 GB: found by fuzz_image.)
class lf_mem_factory : public DcmInputStreamFactory {
public:
  lf_mem_factory(const void *data, offile_off_t len, offile_off_t at) : data_(data), len_(len), at_(at) {}
  DcmInputStream *create() const override;
  DcmInputStreamFactory *clone() const override { return new lf_mem_factory(*this); }
  DcmInputStreamFactoryType ident() const override { return DFT_DcmInputFileStreamFactory; }

private:
  const void *data_;
  offile_off_t len_, at_;
};

class lf_mem_stream : public DcmInputBufferStream {
public:
  lf_mem_stream(const void *data, offile_off_t len) : data_(data), len_(len) {
    setBuffer(data, len);
    setEos();
  }
  DcmInputStreamFactory *newFactory() const override { return new lf_mem_factory(data_, len_, tell()); }

private:
  const void *data_;
  offile_off_t len_;
};

DcmInputStream *lf_mem_factory::create() const {
  lf_mem_stream *s = new lf_mem_stream(data_, len_);
  if (s->skip(at_) != at_) {
    delete s;
    return NULL;
  }
  return s;
}

static void lf_dicom_init(void) {
  OFLog::configure(OFLogger::OFF_LOG_LEVEL); // errors reach the caller as lf_status, not stderr
  DJDecoderRegistration::registerCodecs();   // JPEG baseline, extended, lossless
  DJLSDecoderRegistration::registerCodecs(); // JPEG-LS
  DcmRLEDecoderRegistration::registerCodecs();
}

static void lf_copy_str(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

// A UID is digits and dots; anything else (a hostile file) is dropped, so the
// text can go into JSON and file names as it is.
static void lf_copy_uid(char *dst, size_t cap, const OFString &s) {
  dst[0] = 0;
  if (s.length() == 0 || s.length() >= cap) return;
  for (size_t i = 0; i < s.length(); i++)
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return;
  lf_copy_str(dst, cap, s.c_str());
}

static int lf_get_u16(DcmItem *it, const DcmTagKey &tag, Uint16 *v) {
  return it->findAndGetUint16(tag, *v).good();
}

void lf_dicom_close(lf_dicom *d) {
  if (!d) return;
  delete d->ff;
  free(d->lut);
  free(d->name);
  free(d);
}

const lf_dicom_info *lf_dicom_get_info(const lf_dicom *d) { return d ? &d->info : NULL; }

// The file's first VOI LUT (VOI LUT Sequence item 1), as pydicom reads it.
static lf_status lf_read_voi_lut(lf_dicom *d, DcmItem *lut, int *found) {
  *found = 0;
  Uint16 desc[3];
  for (int i = 0; i < 3; i++) {
    Sint16 s;
    if (lut->findAndGetUint16(DCM_LUTDescriptor, desc[i], i).good()) continue;
    if (lut->findAndGetSint16(DCM_LUTDescriptor, s, i).good()) { desc[i] = (Uint16)s; continue; }
    return lf_error(LF_EBADFILE, "%s: VOI LUT without a 3-value LUT Descriptor", d->name);
  }
  long entries = desc[0] ? desc[0] : 65536;
  long first = d->info.pixel_signed ? (long)(int16_t)desc[1] : (long)desc[1];
  int bits = desc[2];
  if (bits < 1 || bits > 16)
    return lf_error(LF_EUNSUPPORTED, "%s: VOI LUT with %d bits per entry", d->name, bits);
  DcmElement *e = NULL;
  if (lut->findAndGetElement(DCM_LUTData, e).bad() || !e)
    return lf_error(LF_EBADFILE, "%s: VOI LUT without LUT Data", d->name);
  d->lut = (uint16_t *)malloc((size_t)entries * sizeof *d->lut);
  if (!d->lut) return lf_error(LF_ENOMEM, "%s: VOI LUT: out of memory", d->name);
  if (e->getVR() == EVR_OW && bits <= 8) { // 8-bit entries packed two to a word
    Uint8 *b = NULL;
    if (e->getUint8Array(b).bad() || !b || e->getLength() < (Uint32)entries)
      return lf_error(LF_EBADFILE, "%s: VOI LUT Data shorter than its %ld entries", d->name, entries);
    for (long i = 0; i < entries; i++) d->lut[i] = b[i];
  } else {
    Uint16 *w = NULL;
    if (e->getUint16Array(w).bad() || !w || e->getLength() / 2 < (Uint32)entries)
      return lf_error(LF_EBADFILE, "%s: VOI LUT Data shorter than its %ld entries", d->name, entries);
    memcpy(d->lut, w, (size_t)entries * sizeof *d->lut);
  }
  d->lut_entries = entries;
  d->lut_first = first;
  d->lut_bits = bits;
  *found = 1;
  return LF_OK;
}

static void lf_set_window(lf_dicom *d, voi_kind k, double c, double w, const char *name) {
  d->voi = k;
  d->info.center = c;
  d->info.width = w;
  lf_copy_str(d->info.voi_used, sizeof d->info.voi_used, name);
}

static lf_status lf_choose_voi(lf_dicom *d, const lf_dicom_opts *o) {
  lf_dicom_info *in = &d->info;
  if (in->samples != 1) {
    d->voi = VOI_NONE;
    lf_copy_str(in->voi_used, sizeof in->voi_used, "none");
    return LF_OK;
  }
  // FULL: the stored range through the rescale (lo < hi also for a negative slope)
  double smin = in->pixel_signed ? -ldexp(1, in->bits_stored - 1) : 0;
  double smax = in->pixel_signed ? ldexp(1, in->bits_stored - 1) - 1 : ldexp(1, in->bits_stored) - 1;
  double a = smin * in->rescale_slope + in->rescale_intercept;
  double b = smax * in->rescale_slope + in->rescale_intercept;
  d->lo = a < b ? a : b;
  d->hi = a < b ? b : a;
  switch (o->voi) {
  case LF_DICOM_VOI_WINDOW:
    if (!(o->width >= 1) || !isfinite(o->center))
      return lf_error(LF_EINVAL, "%s: window width %g must be >= 1", d->name, o->width);
    lf_set_window(d, VOI_LINEAR, o->center, o->width, "window");
    return LF_OK;
  case LF_DICOM_VOI_MINMAX: d->voi = VOI_MINMAX; lf_copy_str(in->voi_used, 16, "minmax"); return LF_OK;
  case LF_DICOM_VOI_FULL: d->voi = VOI_FULL; lf_copy_str(in->voi_used, 16, "full"); return LF_OK;
  case LF_DICOM_VOI_FILE: break;
  default: return lf_error(LF_EINVAL, "%s: unknown VOI option %d", d->name, (int)o->voi);
  }
  DcmItem *lut = NULL;
  if (d->ds->findAndGetSequenceItem(DCM_VOILUTSequence, lut, 0).good() && lut) {
    int found;
    lf_status s = lf_read_voi_lut(d, lut, &found);
    if (s) return s;
    if (found) {
      d->voi = VOI_LUT;
      lf_copy_str(in->voi_used, sizeof in->voi_used, "lut");
      return LF_OK;
    }
  }
  Float64 c, w;
  if (d->ds->findAndGetFloat64(DCM_WindowCenter, c, 0).good() &&
      d->ds->findAndGetFloat64(DCM_WindowWidth, w, 0).good() && isfinite(c) && isfinite(w)) {
    OFString fn;
    d->ds->findAndGetOFString(DCM_VOILUTFunction, fn, 0);
    if (fn == "LINEAR_EXACT" && w > 0) { lf_set_window(d, VOI_LINEAR_EXACT, c, w, "window-exact"); return LF_OK; }
    if (fn == "SIGMOID" && w > 0) { lf_set_window(d, VOI_SIGMOID, c, w, "sigmoid"); return LF_OK; }
    if (fn != "LINEAR_EXACT" && fn != "SIGMOID" && w >= 1) { lf_set_window(d, VOI_LINEAR, c, w, "window"); return LF_OK; }
  }
  d->voi = VOI_FULL;
  lf_copy_str(in->voi_used, sizeof in->voi_used, "full");
  return LF_OK;
}

/* DCMTK 3.6.7's JPEG decoder finds a frame's bit depth by walking the markers
 * of the frame's first fragment (DJCodecDecoder::scanJpegDataForBitDepth), and
 * that walk never moves past a TEM marker (FF 01): such a stream makes it loop
 * forever. This is the same walk, which stops there instead: 1 when a walk
 * from the fragment's start reaches FF 01 before a frame header, an invalid
 * marker or the end (found by fuzz_dicom). */
static int lf_jpeg_walk_reaches_tem(const Uint8 *p, Uint32 n) {
  Uint32 off = 0;
  while (off + 4 < n) {
    if (p[off] != 0xff) return 0; /* not a marker: DCMTK's walk stops */
    unsigned c = p[off + 1];
    Uint32 seg = ((Uint32)p[off + 2] << 8 | p[off + 3]) + 2; /* a marker segment and its length */
    if (c == 0x01) return 1;
    if ((c >= 0xc0 && c <= 0xcf && c != 0xc4 && c != 0xc8 && c != 0xcc)) return 0; /* SOF: found */
    if (c == 0xff) off += 1;                                /* fill byte */
    else if (c >= 0xd0 && c <= 0xd9) off += 2;              /* RSTn, SOI, EOI */
    else if (c == 0xc4 || c == 0xc8 || c == 0xcc || c >= 0xda) off += seg;
    else if (c > 2 && c <= 0xbf) off += 2;                  /* reserved */
    else return 0;                                          /* invalid: DCMTK stops */
  }
  return 0;
}

static lf_status lf_check_header(lf_dicom *d) {
  DcmDataset *ds = d->ds;
  lf_dicom_info *in = &d->info;
  const char *nm = d->name;
  Uint16 rows = 0, cols = 0, spp = 1, ba = 0, bs = 0, hb = 0, pr = 0, planar = 0;
  if (!lf_get_u16(ds, DCM_Rows, &rows) || !lf_get_u16(ds, DCM_Columns, &cols))
    return lf_error(LF_EBADFILE, "%s: DICOM without Rows/Columns (not an image)", nm);
  if (rows == 0 || cols == 0) return lf_error(LF_EBADFILE, "%s: DICOM image of %ux%u pixels", nm, cols, rows);
  in->rows = rows; /* known now, even if refused below (lf_dicom_image_decode reports them) */
  in->cols = cols;
  if ((uint64_t)rows * cols > LF_IMAGE_MAX_PIXELS)
    return lf_error(LF_EUNSUPPORTED, "%s: DICOM image %ux%u is larger than allowed", nm, cols, rows);
  lf_get_u16(ds, DCM_SamplesPerPixel, &spp);
  if (!lf_get_u16(ds, DCM_BitsAllocated, &ba) || !lf_get_u16(ds, DCM_BitsStored, &bs))
    return lf_error(LF_EBADFILE, "%s: DICOM without Bits Allocated/Stored", nm);
  if (!lf_get_u16(ds, DCM_HighBit, &hb)) hb = (Uint16)(bs - 1);
  lf_get_u16(ds, DCM_PixelRepresentation, &pr);
  lf_get_u16(ds, DCM_PlanarConfiguration, &planar);
  Sint32 frames = 1;
  if (ds->tagExists(DCM_NumberOfFrames) && ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad())
    return lf_error(LF_EBADFILE, "%s: unreadable Number of Frames", nm);
  if (frames < 1 || frames > LF_DICOM_MAX_FRAMES)
    return lf_error(LF_EBADFILE, "%s: Number of Frames %ld outside 1..%d", nm, (long)frames, LF_DICOM_MAX_FRAMES);
  OFString pi;
  if (ds->findAndGetOFString(DCM_PhotometricInterpretation, pi).bad() || pi.empty()) {
    if (spp != 1) return lf_error(LF_EBADFILE, "%s: colour DICOM without Photometric Interpretation", nm);
    pi = "MONOCHROME2";
  }
  int mono = pi == "MONOCHROME1" || pi == "MONOCHROME2";
  int colour = pi == "RGB" || pi == "YBR_FULL" || pi == "YBR_FULL_422";
  if (!(mono && spp == 1) && !(colour && spp == 3))
    return lf_error(LF_EUNSUPPORTED, "%s: Photometric Interpretation %s with %u samples per pixel "
                    "(MONOCHROME1/2, RGB and YBR_FULL are read)", nm, pi.c_str(), spp);
  if (ba != 8 && ba != 16)
    return lf_error(LF_EUNSUPPORTED, "%s: %u bits allocated (8 or 16 are read)", nm, ba);
  if (bs < 1 || bs > ba || hb >= ba || hb + 1 < bs)
    return lf_error(LF_EBADFILE, "%s: bits stored %u / high bit %u do not fit %u bits allocated", nm, bs, hb, ba);
  if (colour && ba != 8) return lf_error(LF_EUNSUPPORTED, "%s: colour DICOM with %u bits", nm, ba);

  DcmElement *e = NULL;
  if (ds->findAndGetElement(DCM_PixelData, e).bad() || !e || e->ident() != EVR_PixelData)
    return lf_error(LF_EBADFILE, "%s: DICOM without Pixel Data", nm);
  d->pix = OFstatic_cast(DcmPixelData *, e);
  E_TransferSyntax xfer = ds->getOriginalXfer();
  DcmXfer x(xfer);
  lf_copy_str(in->transfer_syntax, sizeof in->transfer_syntax, x.getXferID());
  d->encapsulated = x.isEncapsulated();
  uint64_t fs = (uint64_t)rows * cols * spp * (ba / 8);
  if (d->encapsulated) {
    if (!DcmCodecList::canChangeCoding(xfer, EXS_LittleEndianExplicit))
      return lf_error(LF_EUNSUPPORTED, "%s: transfer syntax %s (%s) is not one DCMTK decodes", nm,
                      x.getXferName(), x.getXferID());
    DcmPixelSequence *seq = NULL;
    if (d->pix->getEncapsulatedRepresentation(xfer, NULL, seq).bad() || !seq)
      return lf_error(LF_EBADFILE, "%s: compressed Pixel Data without fragments", nm);
    // item 0 is the offset table; each frame starts a fragment of its own
    if (seq->card() < (unsigned long)frames + 1)
      return lf_error(LF_EBADFILE, "%s: %ld frame(s) but %lu compressed fragment(s)", nm, (long)frames,
                      seq->card() ? seq->card() - 1 : 0);
    for (unsigned long i = 1; i < seq->card(); i++) {
      DcmPixelItem *frag = NULL;
      Uint8 *b = NULL;
      if (seq->getItem(frag, i).good() && frag && frag->getUint8Array(b).good() && b &&
          lf_jpeg_walk_reaches_tem(b, frag->getLength()))
        return lf_error(LF_EBADFILE, "%s: compressed fragment %lu has a JPEG TEM marker before its frame header "
                        "(refused: DCMTK's decoder would never finish reading it)", nm, i);
    }
  } else {
    if (pi == "YBR_FULL_422")
      return lf_error(LF_EUNSUPPORTED, "%s: uncompressed YBR_FULL_422", nm);
    uint64_t need = fs * (uint64_t)frames;
    if ((uint64_t)d->pix->getLength() < need)
      return lf_error(LF_EBADFILE, "%s: Pixel Data holds %lu bytes; %ld frame(s) of %ux%u need %llu", nm,
                      (unsigned long)d->pix->getLength(), (long)frames, cols, rows, (unsigned long long)need);
  }
  if (ds->tagExists(DCM_ModalityLUTSequence, OFTrue))
    return lf_error(LF_EUNSUPPORTED, "%s: Modality LUT Sequence (only Rescale Slope/Intercept)", nm);
  Float64 slope = 1, icpt = 0, v;
  if (ds->findAndGetFloat64(DCM_RescaleSlope, v).good()) slope = v;
  if (ds->findAndGetFloat64(DCM_RescaleIntercept, v).good()) icpt = v;
  if (!isfinite(slope) || slope == 0 || !isfinite(icpt))
    return lf_error(LF_EBADFILE, "%s: Rescale Slope %g / Intercept %g", nm, slope, icpt);

  in->rows = rows;
  in->cols = cols;
  in->frames = (int)frames;
  in->samples = spp;
  in->bits_allocated = ba;
  in->bits_stored = bs;
  in->pixel_signed = pr == 1;
  lf_copy_str(in->photometric, sizeof in->photometric, pi.c_str());
  in->rescale_slope = slope;
  in->rescale_intercept = icpt;
  Float64 sp[2] = {0, 0};
  if (ds->findAndGetFloat64(DCM_PixelSpacing, sp[0], 0).bad() ||
      ds->findAndGetFloat64(DCM_PixelSpacing, sp[1], 1).bad()) {
    sp[0] = sp[1] = 0;
    if (ds->findAndGetFloat64(DCM_ImagerPixelSpacing, sp[0], 0).bad() ||
        ds->findAndGetFloat64(DCM_ImagerPixelSpacing, sp[1], 1).bad())
      sp[0] = sp[1] = 0;
  }
  if (!(isfinite(sp[0]) && isfinite(sp[1]) && sp[0] > 0 && sp[1] > 0)) sp[0] = sp[1] = 0;
  in->pixel_spacing[0] = sp[0];
  in->pixel_spacing[1] = sp[1];
  OFString uid;
  if (ds->findAndGetOFString(DCM_SOPInstanceUID, uid).good()) lf_copy_uid(in->sop_instance_uid, sizeof in->sop_instance_uid, uid);
  d->high_bit = hb;
  d->planar = planar == 1;
  // DCMTK wants room for an even number of bytes (an odd 8-bit frame is padded)
  Uint32 dfs = 0;
  if (d->pix->getUncompressedFrameSize(ds, dfs).bad() || dfs < fs || dfs > fs + 2)
    return lf_error(LF_EBADFILE, "%s: inconsistent frame size", nm);
  d->frame_size = (dfs + 1) & ~(Uint32)1;
  return LF_OK;
}

/* lf_dicom_open; dims (when not NULL) gets the header's Columns x Rows when
 * they were read, also when the file is then refused (e.g. too many pixels) */
static lf_status lf_dicom_open_dims(const void *data, size_t len, const char *name, const lf_dicom_opts *opts,
                                    lf_dicom **out, int dims[2]);

lf_status lf_dicom_open(const void *data, size_t len, const char *name, const lf_dicom_opts *opts,
                        lf_dicom **out) {
  return lf_dicom_open_dims(data, len, name, opts, out, NULL);
}

static lf_status lf_dicom_open_dims(const void *data, size_t len, const char *name, const lf_dicom_opts *opts,
                                    lf_dicom **out, int dims[2]) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  *out = NULL;
  if (!name) name = "(memory)";
  if (!data || !len) return lf_error(LF_EBADFILE, "%s: empty file", name);
  lf_dicom_opts defaults;
  if (!opts) {
    lf_dicom_get_defaults(&defaults);
    opts = &defaults;
  }
  lf_status s = lf_dicom_scan((const unsigned char *)data, len, name);
  if (s) return s;
  pthread_once(&once, lf_dicom_init);
  lf_dicom *d = (lf_dicom *)calloc(1, sizeof *d);
  if (!d) return lf_error(LF_ENOMEM, "%s: out of memory", name);
  d->name = strdup(name);
  d->ff = new (std::nothrow) DcmFileFormat();
  if (!d->name || !d->ff) {
    lf_dicom_close(d);
    return lf_error(LF_ENOMEM, "%s: out of memory", name);
  }
  lf_mem_stream in(data, (offile_off_t)len);
  d->ff->transferInit();
  OFCondition c = d->ff->read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  d->ff->transferEnd();
  // the values skipped above are read now, while `data` is alive (the factories
  // point into it)
  if (c.good()) c = d->ff->loadAllDataIntoMemory();
  if (c.bad()) {
    lf_status s = lf_error(LF_EBADFILE, "%s: unreadable DICOM (%s)", name, c.text());
    lf_dicom_close(d);
    return s;
  }
  d->ds = d->ff->getDataset();
  s = d->ds ? lf_check_header(d) : lf_error(LF_EBADFILE, "%s: DICOM without a dataset", name);
  if (!s) s = lf_choose_voi(d, opts);
  if (dims) dims[0] = d->info.cols, dims[1] = d->info.rows;
  if (s) {
    lf_dicom_close(d);
    return s;
  }
  *out = d;
  return LF_OK;
}

static inline uint8_t lf_u8(double v) {
  v = floor(v + 0.5);
  return v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
}

static inline int32_t lf_stored(const lf_dicom *d, const uint8_t *buf, size_t i) {
  uint32_t raw;
  if (d->info.bits_allocated == 8) {
    raw = buf[i];
  } else {
    uint16_t w;
    memcpy(&w, buf + 2 * i, 2);
    raw = w;
  }
  int bs = d->info.bits_stored;
  raw = (raw >> (d->high_bit + 1 - bs)) & ((1u << bs) - 1);
  if (d->info.pixel_signed && (raw >> (bs - 1))) return (int32_t)raw - (int32_t)(1u << bs);
  return (int32_t)raw;
}

static double lf_voi(const lf_dicom *d, double x, double lo, double hi) {
  double c = d->info.center, w = d->info.width;
  switch (d->voi) {
  case VOI_LINEAR:
    if (x <= c - 0.5 - (w - 1) / 2) return 0;
    if (x > c - 0.5 + (w - 1) / 2) return 255;
    return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
  case VOI_LINEAR_EXACT:
    if (x <= c - w / 2) return 0;
    if (x > c + w / 2) return 255;
    return ((x - c) / w + 0.5) * 255;
  case VOI_SIGMOID: return 255 / (1 + exp(-4 * (x - c) / w));
  case VOI_LUT: {
    double k = floor(x) - (double)d->lut_first;
    long i = k <= 0 ? 0 : k >= (double)(d->lut_entries - 1) ? d->lut_entries - 1 : (long)k;
    return d->lut[i] * 255.0 / (ldexp(1, d->lut_bits) - 1);
  }
  default: return hi > lo ? (x - lo) / (hi - lo) * 255 : 0;
  }
}

static void lf_grey(const lf_dicom *d, const uint8_t *buf, uint8_t *o, size_t n) {
  double slope = d->info.rescale_slope, icpt = d->info.rescale_intercept;
  double lo = d->lo, hi = d->hi;
  if (d->voi == VOI_MINMAX) {
    int32_t mn = INT32_MAX, mx = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
      int32_t v = lf_stored(d, buf, i);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    double a = mn * slope + icpt, b = mx * slope + icpt;
    lo = a < b ? a : b;
    hi = a < b ? b : a;
  }
  int invert = !strcmp(d->info.photometric, "MONOCHROME1");
  for (size_t i = 0; i < n; i++) {
    double x = lf_stored(d, buf, i) * slope + icpt;
    uint8_t v = lf_u8(lf_voi(d, x, lo, hi));
    o[i] = invert ? (uint8_t)(255 - v) : v;
  }
}

static void lf_colour(const lf_dicom *d, const uint8_t *buf, uint8_t *o, size_t n, int ybr) {
  for (size_t i = 0; i < n; i++) {
    double p[3];
    for (int c = 0; c < 3; c++) p[c] = d->planar ? buf[(size_t)c * n + i] : buf[3 * i + (size_t)c];
    if (ybr) { // YBR_FULL (PS3.3 C.7.6.3.1.2), inverted
      double y = p[0], cb = p[1] - 128, cr = p[2] - 128;
      p[0] = y + 1.402 * cr;
      p[1] = y - 0.344136 * cb - 0.714136 * cr;
      p[2] = y + 1.772 * cb;
    }
    for (int c = 0; c < 3; c++) o[3 * i + (size_t)c] = lf_u8(p[c]);
  }
}

lf_status lf_dicom_frame(lf_dicom *d, int frame, lf_image *out) {
  memset(out, 0, sizeof *out);
  if (!d) return lf_error(LF_EINVAL, "dicom: no file");
  if (frame < 0 || frame >= d->info.frames)
    return lf_error(LF_EINVAL, "%s: frame %d of %d", d->name, frame, d->info.frames);
  uint8_t *buf = (uint8_t *)malloc(d->frame_size);
  if (!buf) return lf_error(LF_ENOMEM, "%s: cannot allocate a %u-byte frame", d->name, d->frame_size);
  Uint32 start = frame == d->next_frame ? d->next_fragment : 0;
  OFString cm;
  OFCondition c = d->pix->getUncompressedFrame(d->ds, (Uint32)frame, start, buf, d->frame_size, cm, NULL);
  if (c.bad()) {
    free(buf);
    d->next_frame = -1;
    return lf_error(LF_EBADFILE, "%s: frame %d cannot be decoded (%s)", d->name, frame + 1, c.text());
  }
  d->next_frame = frame + 1;
  d->next_fragment = start;
  const lf_dicom_info *in = &d->info;
  lf_status s = lf_image_alloc(out, in->cols, in->rows, in->samples);
  if (s) {
    free(buf);
    return lf_error_prefix(s, "%s: ", d->name);
  }
  size_t n = (size_t)in->rows * (size_t)in->cols;
  if (in->samples == 1) {
    lf_grey(d, buf, out->data, n);
  } else {
    const char *model = cm.empty() ? in->photometric : cm.c_str();
    lf_colour(d, buf, out->data, n, !strncmp(model, "YBR_FULL", 8));
  }
  free(buf);
  return LF_OK;
}

// lf_image_decode's door: frame 1 with the process defaults.
extern "C" lf_status lf_dicom_image_decode(const unsigned char *data, size_t len, const char *name,
                                           lf_image *out, lf_image_info *info, int probe_only) {
  lf_dicom *d;
  int dims[2] = {0, 0};
  lf_status s = lf_dicom_open_dims(data, len, name, NULL, &d, dims);
  if (s) { /* the size when the header had it, as the other readers report it with their refusal */
    info->width = dims[0];
    info->height = dims[1];
    return s;
  }
  const lf_dicom_info *in = &d->info;
  lf_copy_str(info->format, sizeof info->format, "dicom");
  info->width = in->cols;
  info->height = in->rows;
  info->channels = in->samples;
  info->bit_depth = in->bits_stored;
  info->frames = in->frames;
  lf_copy_str(info->color, sizeof info->color, in->samples == 1 ? "L" : "RGB");
  if (!probe_only) s = lf_dicom_frame(d, 0, out);
  lf_dicom_close(d);
  return s;
}
