/*
 * asset.c: the compiled-in files (assets/, turned into assets.c by
 * embed.cmake at build time) and their content types.
 */
#include <string.h>

#include "console_impl.h"

const struct asset *
asset_find(const char *path)
{
	for (size_t i = 0; i < console_nassets; i++)
		if (strcmp(console_assets[i].path, path) == 0)
			return &console_assets[i];
	return NULL;
}

const char *
asset_type(const char *path)
{
	static const struct {
		const char	*suffix;
		const char	*type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	size_t	len = strlen(path);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t	n = strlen(types[i].suffix);

		if (len >= n && strcmp(path + len - n, types[i].suffix) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}
