/* Unit tests for the small XML reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

static struct nhi_xml_node *parse_ok(const char *text)
{
  struct nhi_xml_node *root = NULL;
  char *err = NULL;

  assert_int_equal(nhi_xml_parse(text, strlen(text), &root, &err), NHI_OK);
  assert_null(err);
  assert_non_null(root);
  return root;
}

/* Parses text, which must fail with message want. */
static void parse_fails(const char *text, const char *want)
{
  struct nhi_xml_node *root = NULL;
  char *err = NULL;

  assert_int_equal(nhi_xml_parse(text, strlen(text), &root, &err),
                   NHI_ERR_INPUT);
  assert_null(root);
  assert_non_null(err);
  assert_string_equal(err, want);
  free(err);
}

static void test_list_buckets(void **state)
{
  struct nhi_xml_node *root = parse_ok(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/"
    "2006-03-01/\"><Owner><ID>abc</ID></Owner><Buckets>"
    "<Bucket><Name>one</Name></Bucket><Bucket><Name>two</Name>"
    "<BucketRegion>eu-west-1</BucketRegion></Bucket></Buckets>"
    "</ListAllMyBucketsResult>\n");
  const struct nhi_xml_node *b;

  assert_string_equal(root->name, "ListAllMyBucketsResult");
  assert_int_equal(root->nattrs, 1);
  assert_string_equal(root->attrs[0].name, "xmlns");
  assert_string_equal(root->attrs[0].value,
                      "http://s3.amazonaws.com/doc/2006-03-01/");
  assert_string_equal(nhi_xml_text_at(root, "Owner/ID"), "abc");
  b = nhi_xml_child(root, "Buckets")->children;
  assert_string_equal(nhi_xml_text_at(b, "Name"), "one");
  assert_null(nhi_xml_text_at(b, "BucketRegion"));
  assert_string_equal(nhi_xml_text_at(b->next, "BucketRegion"),
                      "eu-west-1");
  assert_null(b->next->next);
  assert_null(nhi_xml_text_at(root, "Owner/Missing"));
  nhi_xml_free(root);
}

static void test_text_and_entities(void **state)
{
  struct nhi_xml_node *root = parse_ok(
    "<a k='x &amp; &quot;y&quot;'>1 &lt; 2 &amp;&amp; &#65;&#x20AC;"
    "<!-- skipped --><![CDATA[<raw> & ]]><?pi data?><b/>tail</a>");

  assert_string_equal(root->attrs[0].value, "x & \"y\"");
  assert_string_equal(root->text, "1 < 2 && A\xe2\x82\xac<raw> & tail");
  assert_int_equal(root->text_len, strlen(root->text));
  assert_string_equal(root->children->name, "b");
  assert_string_equal(root->children->text, "");
  nhi_xml_free(root);
}

static void test_empty_values(void **state)
{
  struct nhi_xml_node *root = parse_ok(
    "<LocationConstraint xmlns=\"x\"/>");

  assert_string_equal(root->text, "");
  assert_null(root->children);
  nhi_xml_free(root);
  root = parse_ok("\xEF\xBB\xBF<a b=\"\"></a >");
  assert_string_equal(root->attrs[0].value, "");
  nhi_xml_free(root);
}

static void test_errors_say_where(void **state)
{
  parse_fails("<a>\n  <b></c>\n</a>",
              "line 2, column 8: an end tag that does not match its "
              "start tag");
  parse_fails("<a>&nope;</a>", "line 1, column 4: an unknown entity");
  parse_fails("<a>x", "line 1, column 5: an element that never ends");
  parse_fails("<a/><b/>", "line 1, column 5: text after the root element");
  parse_fails("", "line 1, column 1: no element");
  parse_fails("<a b=c/>", "line 1, column 6: expected a quoted attribute "
              "value");
  parse_fails("<a>&#0;</a>", "line 1, column 4: an unknown entity");
  parse_fails("<a>&#xD800;</a>", "line 1, column 4: an unknown entity");
  parse_fails("<ab></a>", "line 1, column 7: an end tag that does not "
              "match its start tag");
}

static void test_refuses_doctype(void **state)
{
  parse_fails("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]>"
              "<a>&x;</a>",
              "line 1, column 22: a DOCTYPE (DTDs are not accepted)");
  parse_fails("<a><!ENTITY x \"y\"></a>",
              "line 1, column 4: unexpected markup (DTDs are not "
              "accepted)");
}

static void test_depth_limit(void **state)
{
  size_t n = NHI_XML_MAX_DEPTH + 1, len = n * 7 + 1;
  char *text = malloc(len), *p = text;
  struct nhi_xml_node *root = NULL;
  char *err = NULL;

  assert_non_null(text);
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "<a>");
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "</a>");
  assert_int_equal(nhi_xml_parse(text, (size_t)(p - text), &root, &err),
                   NHI_ERR_INPUT);
  assert_non_null(strstr(err, "elements nested too deeply"));
  free(err);
  /* One level less is fine. */
  assert_int_equal(nhi_xml_parse(text + 3, (size_t)(p - text) - 7, &root,
                                 &err), NHI_OK);
  nhi_xml_free(root);
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_list_buckets),
    cmocka_unit_test(test_text_and_entities),
    cmocka_unit_test(test_empty_values),
    cmocka_unit_test(test_errors_say_where),
    cmocka_unit_test(test_refuses_doctype),
    cmocka_unit_test(test_depth_limit),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
