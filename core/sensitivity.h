/* Resource sensitivity from the resources' own tags, the one list of
 * classification tag names every collector's resources are read with. */
#ifndef NHI_SENSITIVITY_H
#define NHI_SENSITIVITY_H

#include "nhi.h"
#include "store.h"

#include <cJSON.h>

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

/* Labels resources by the profile's tag mapping map (borrowed; NULL or
 * empty does nothing): { tag key = { tag value = level } }, keys and
 * values compared in any case, value "*" for any value. Source 'tag';
 * a profile label is left alone, and a tag label is replaced only by a
 * more sensitive one. NHI_ERR_DB. */
enum nhi_rc nhi_sensitivity_from_tag_map(struct nhi_store *store,
                                         const cJSON *map);

/* Labels confidential, at low confidence (sensitivity_source 'name',
 * attrs.sensitivity_confidence 'low', attrs.sensitivity_hint the word),
 * every resource still unlabelled whose name (or native id) holds a
 * word that suggests sensitive data: pii, payroll, customer, secret,
 * hr, finance and the like. Trails and accounts are left alone.
 * NHI_ERR_DB, NHI_ERR_NOMEM. */
enum nhi_rc nhi_sensitivity_from_names(struct nhi_store *store);

#endif
