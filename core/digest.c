/* SHA-256 of input files, recorded so an assessment names exactly which
 * export it read. */
#include "digest.h"

#include <stdio.h>
#include <sys/stat.h>

#include <openssl/evp.h>

static int hash_stream(FILE *f, EVP_MD_CTX *md, unsigned char *digest)
{
  unsigned char buf[1 << 16];
  unsigned int len = 0;
  size_t n;

  if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
    return 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    if (!EVP_DigestUpdate(md, buf, n))
      return 0;
  return !ferror(f) && EVP_DigestFinal_ex(md, digest, &len) && len == 32;
}

enum nhi_rc nhi_file_sha256(const char *path, char out[NHI_SHA256_HEX])
{
  unsigned char digest[32];
  struct stat sb;
  EVP_MD_CTX *md;
  FILE *f;
  int ok;

  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
      !(f = fopen(path, "rb")))
    return NHI_ERR_INPUT;
  md = EVP_MD_CTX_new();
  ok = md && hash_stream(f, md, digest);
  EVP_MD_CTX_free(md);
  fclose(f);
  if (!ok)
    return NHI_ERR_IO;
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  return NHI_OK;
}
