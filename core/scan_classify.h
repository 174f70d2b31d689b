/* Sensitive-data classifiers over a sample of a data store. */
#ifndef NHI_SCAN_CLASSIFY_H
#define NHI_SCAN_CLASSIFY_H

#include <stddef.h>

enum nhi_data_class {
  NHI_DC_EMAIL = 0,
  NHI_DC_PHONE,
  NHI_DC_CARD,                /* payment card numbers passing Luhn */
  NHI_DC_IBAN,                /* IBANs passing mod 97 */
  NHI_DC_SSN,                 /* US SSNs ddd-dd-dddd, valid ranges */
  NHI_DC_DNI,                 /* Spanish DNI/NIE with a right letter */
  NHI_DC_COUNT
};

/* Counts per class over the bytes classified; zero-initialise. */
struct nhi_classify_counts {
  long long n[NHI_DC_COUNT];
  long long bytes;
};

/* The class's name in data_classes: email, phone, payment_card, iban,
 * us_ssn, es_dni_nie; NULL out of range. */
const char *nhi_classify_name(enum nhi_data_class c);

/* Adds what buf[0..len) holds to *c. Phone numbers need a '+' and
 * country code or the (ddd) ddd-dddd form; SSNs the hyphenated form;
 * cards an issuer prefix, a length it issues and the Luhn digit. */
void nhi_classify_buffer(const char *buf, size_t len,
                         struct nhi_classify_counts *c);

/* The sensitivity counts (and secrets found in the same sample) suggest:
 * "restricted" for any card, IBAN, SSN or national id; "confidential"
 * for secrets or 10+ contact details; else "internal". *confidence is
 * "high", "medium" or "low" (nothing found: the sample says little). */
const char *nhi_classify_level(const struct nhi_classify_counts *c,
                               long long secrets, const char **confidence);

#endif
