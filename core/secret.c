/* Turning a secret value into what may be stored: fingerprint, preview. */
#include "secret.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

enum nhi_rc nhi_secret_fingerprint(const char *value, size_t len,
                                   char out[NHI_FINGERPRINT_SIZE])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  size_t pos;

  if (!EVP_Digest(value, len, md, &mdlen, EVP_sha256(), NULL)) {
    nhi_error("cannot compute a secret fingerprint: SHA-256 failed");
    return NHI_ERR_INTERNAL;
  }
  pos = (size_t)snprintf(out, NHI_FINGERPRINT_SIZE, "sha256:");
  for (unsigned i = 0; i < 12; i++)
    pos += (size_t)snprintf(out + pos, NHI_FINGERPRINT_SIZE - pos, "%02x",
                            md[i]);
  return NHI_OK;
}

void nhi_secret_preview(const char *value, size_t len,
                        char out[NHI_PREVIEW_SIZE])
{
  static const char ellipsis[] = "\xe2\x80\xa6";

  if (len < 12) {
    snprintf(out, NHI_PREVIEW_SIZE, "%s", ellipsis);
    return;
  }
  snprintf(out, NHI_PREVIEW_SIZE, "%.4s%s%.2s", value, ellipsis,
           value + len - 2);
}
