/* Placeholder entry so the tree links while the CLI is written. */
int main(void) { return 0; }
