/* SPDX-License-Identifier: BSD-3-Clause */
#include "pkt_drop.h"

static const char *const drop_names[PKT_DROP_MAX] = {
#define PKT_DROP_NAME(name, text) [PKT_DROP_##name] = #name,
	PKT_DROP_REASONS(PKT_DROP_NAME)
#undef PKT_DROP_NAME
};

static const char *const drop_texts[PKT_DROP_MAX] = {
#define PKT_DROP_TEXT(name, text) [PKT_DROP_##name] = text,
	PKT_DROP_REASONS(PKT_DROP_TEXT)
#undef PKT_DROP_TEXT
};

const char *pkt_drop_name(enum pkt_drop reason)
{
	return reason < PKT_DROP_MAX ? drop_names[reason] : "none";
}

const char *pkt_drop_text(enum pkt_drop reason)
{
	return reason < PKT_DROP_MAX ? drop_texts[reason] : "";
}
