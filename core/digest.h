/* SHA-256 of input files, recorded so an assessment names exactly which
 * export it read. */
#ifndef NHI_DIGEST_H
#define NHI_DIGEST_H

#include "nhi.h"

#define NHI_SHA256_HEX 65

/* Hashes the regular file at path into 64 hex digits + NUL. Returns
 * NHI_ERR_INPUT (not logged) when path is not a readable regular file. */
enum nhi_rc nhi_file_sha256(const char *path, char out[NHI_SHA256_HEX]);

#endif
