/* The fields of a CloudTrail record that the importer reads, found in
 * one pass over the record's JSON text. */
#ifndef NHI_TRAIL_FIELDS_H
#define NHI_TRAIL_FIELDS_H

#include <stddef.h>

enum nhi_trail_field {
  NHI_TF_TIME,                /* eventTime */
  NHI_TF_SOURCE,              /* eventSource */
  NHI_TF_NAME,                /* eventName */
  NHI_TF_TYPE,                /* eventType */
  NHI_TF_ERROR,               /* errorCode */
  NHI_TF_REGION,              /* awsRegion */
  NHI_TF_ACCOUNT,             /* recipientAccountId */
  NHI_TF_IP,                  /* sourceIPAddress */
  NHI_TF_AGENT,               /* userAgent */
  NHI_TF_UID_TYPE,            /* userIdentity.type */
  NHI_TF_UID_INVOKED_BY,      /* userIdentity.invokedBy */
  NHI_TF_UID_ARN,             /* userIdentity.arn */
  NHI_TF_UID_PRINCIPAL,       /* userIdentity.principalId */
  NHI_TF_UID_ACCOUNT,         /* userIdentity.accountId */
  NHI_TF_ISSUER_ARN,          /* ...sessionContext.sessionIssuer.arn */
  NHI_TF_CONSOLE_LOGIN,       /* responseElements.ConsoleLogin */
  NHI_TF_BUCKET,              /* requestParameters.bucketName */
  NHI_TF_KEY,                 /* requestParameters.key */
  NHI_TF_RESOURCE_ARN,        /* the first resources[].ARN */
  NHI_TF_COUNT
};

/* Each field's text, NULL when the record lacks it or it is not a
 * string. Like cJSON's lookups, the first occurrence of a key counts. */
struct nhi_trail_fields {
  const char *v[NHI_TF_COUNT];
};

/* Reads the fields of the JSON value text[0..len) (text[len] is '\0')
 * into *f. Strings are decoded in place, so text is changed and the
 * fields point into it. Returns 0, or -1 when text is not one JSON
 * value, with *stop the offset where reading stopped (as cJSON would
 * report it). */
int nhi_trail_fields_read(char *text, size_t len,
                          struct nhi_trail_fields *f, size_t *stop);

#endif
