/* AWS credentials found the way the AWS CLI finds them (environment,
 * shared credentials and config files, roles assumed through STS), and
 * the endpoint each service is reached at. */
#ifndef NHI_AWS_CREDENTIALS_H
#define NHI_AWS_CREDENTIALS_H

#include "http.h"
#include "nhi.h"

#include <time.h>

/* Roles assumed from roles: a longer chain is taken for a loop. */
#define NHI_AWS_MAX_CHAIN 5

/* Resolved credentials; all owned (nhi_aws_credentials_free wipes the
 * secrets before freeing them). */
struct nhi_aws_credentials {
  char *access_key_id;
  char *secret_access_key;
  char *session_token;      /* NULL for long-term keys */
  char *region;             /* where regional calls go */
  char *profile;            /* the profile read, or NULL */
  char *role_arn;           /* the role assumed, or NULL */
  const char *method;       /* "environment", "profile", "assume-role" */
  time_t expires;           /* 0 when they do not expire */
};

/* One profile's settings: the config file's, overridden by the shared
 * credentials file's. All strings owned, NULL when not set. */
struct nhi_aws_profile {
  int found;                /* either file has the profile */
  char *access_key_id;
  char *secret_access_key;
  char *session_token;
  char *region;
  char *role_arn;
  char *source_profile;
  char *credential_source;
  char *external_id;
  char *role_session_name;
  char *duration_seconds;
  char *mfa_serial;
  char *unsupported;        /* a setting for a credential kind not read
                               here (sso_session, credential_process..) */
  char *credentials_file;   /* the files read */
  char *config_file;
};

/* Reads profile name from the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials, section
 * [name]) and the config file (AWS_CONFIG_FILE, else ~/.aws/config,
 * section [profile name], or [default]). Missing files are empty.
 * Returns NHI_OK (p->found says whether the profile exists), or
 * NHI_ERR_INPUT with *err (malloc'd, naming the file and line) for a
 * file that cannot be read or parsed; NHI_ERR_NOMEM. Logs nothing. */
enum nhi_rc nhi_aws_profile_read(const char *name, struct nhi_aws_profile *p,
                                 char **err);

/* Frees a profile's strings (wiping secrets) and zeroes it. */
void nhi_aws_profile_clear(struct nhi_aws_profile *p);

/* Resolves credentials. With profile NULL: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) when set, else the
 * profile AWS_PROFILE names, else "default". A named profile uses its
 * keys, or assumes its role_arn through STS with the credentials of its
 * source_profile (or of the environment, for credential_source =
 * Environment), over http. The region comes from AWS_REGION,
 * AWS_DEFAULT_REGION, the profile, else us-east-1. log_prefix names who
 * asks in retry lines (may be NULL). *out is the caller's
 * (nhi_aws_credentials_free). Logs nothing: on failure *err gets a
 * malloc'd message (NULL on NHI_ERR_NOMEM) and the result is
 * NHI_ERR_INPUT (no usable credentials, a bad file) or NHI_ERR_IO (STS
 * could not be reached or refused the role). */
enum nhi_rc nhi_aws_credentials_resolve(struct nhi_http *http,
                                        const char *profile,
                                        const char *log_prefix,
                                        struct nhi_aws_credentials **out,
                                        char **err);

/* Wipes and frees; NULL is ignored. */
void nhi_aws_credentials_free(struct nhi_aws_credentials *c);

/* Reads the Credentials of an STS AssumeRole XML response into c
 * (replacing its keys and expiry). Returns NHI_OK, NHI_ERR_INPUT with a
 * malloc'd *err, or NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_parse_assume_role(const char *xml, size_t len,
                                      struct nhi_aws_credentials *c,
                                      char **err);

/* The base URL (no trailing '/') of service in region, and the region
 * requests to it are signed for (IAM and Organizations are global and
 * sign for us-east-1; SageMaker's host is api.sagemaker.<region>).
 * NHISCOPE_AWS_ENDPOINT_<SERVICE> (upper case, '-'
 * as '_'), else NHISCOPE_AWS_ENDPOINT, replaces the URL. *url is the
 * caller's. Returns NHI_ERR_INPUT (not logged) when service or region
 * is not lowercase letters, digits and '-'; NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_endpoint(const char *service, const char *region,
                             char **url, const char **signing_region);

#endif
