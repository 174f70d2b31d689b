/* Reading a large JSON log one record at a time, without loading it. */
#ifndef NHI_JSON_STREAM_H
#define NHI_JSON_STREAM_H

#include "nhi.h"

#include <stddef.h>

/* Default decompressed read size. */
#define NHI_JSON_STREAM_CHUNK 65536

/* A record larger than this is refused rather than buffered. */
#define NHI_JSON_STREAM_MAX_RECORD (64u << 20)

/* Containers nested deeper than this are refused. */
#define NHI_JSON_STREAM_MAX_DEPTH 512

struct nhi_json_stream;

/* One record the stream split out. text is NUL-terminated and owned by
 * the stream: it stays valid until the next call. index counts records
 * from 0; offset is the byte (of the decompressed text) it starts at. */
struct nhi_json_record {
  char *text;
  size_t len;
  size_t index;
  unsigned long long offset;
};

/* Opens path, gzip-compressed or plain (zlib tells them apart), for
 * reading records: the objects of a top-level {"Records": [...]}
 * (CloudTrail's S3 files) or of a top-level array, or each top-level
 * object of a concatenation such as JSON Lines. chunk is the read size
 * (0 for NHI_JSON_STREAM_CHUNK). *out is the caller's, freed with
 * nhi_json_stream_close. Logs "cannot read 'path': ..." on failure. */
enum nhi_rc nhi_json_stream_open(const char *path, size_t chunk,
                                 struct nhi_json_stream **out);

/* Splits out the next record into *rec; rec->text is NULL once the input
 * ends cleanly. Only the structure around records is checked here; each
 * record's own JSON is left to the caller's parser. Returns NHI_ERR_INPUT
 * with one message naming the file, the byte offset and, inside a
 * record, its index: text outside records that is not JSON structure, a
 * record too large or too deep, input that ends inside a record, and
 * gzip data that is corrupt or truncated. NHI_ERR_NOMEM likewise. */
enum nhi_rc nhi_json_stream_next(struct nhi_json_stream *js,
                                 struct nhi_json_record *rec);

/* Closes the file and frees the stream; NULL is ignored. */
void nhi_json_stream_close(struct nhi_json_stream *js);

#endif
