/* Resource sensitivity from the resources' own tags, the one list of
 * classification tag names every collector's resources are read with. */
#ifndef NHI_SENSITIVITY_H
#define NHI_SENSITIVITY_H

#include "nhi.h"
#include "store.h"

/* Labels every resource of store (any provider) whose tags hold a
 * classification tag: DataClassification, Classification,
 * DataSensitivity, Sensitivity or Confidentiality, in any case and with
 * or without '-' or '_' between the words, whose value is public,
 * internal, confidential or restricted (any case). The label is
 * written with sensitivity_source 'tag'; a label from the profile
 * (source 'profile'), the assessor's explicit word, is left alone.
 * Among several such tags the most sensitive wins. Failures are logged;
 * returns NHI_ERR_DB or NHI_ERR_NOMEM. */
enum nhi_rc nhi_sensitivity_from_tags(struct nhi_store *store);

#endif
