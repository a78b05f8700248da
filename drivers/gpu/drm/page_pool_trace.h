/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Tracepoints of the shared page pool. The system is "drm_page_pool" so that
 * it never clashes with the networking page_pool's "page_pool".
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM drm_page_pool

#if !defined(_DRM_PAGE_POOL_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _DRM_PAGE_POOL_TRACE_H_

#include <linux/mm.h>
#include <linux/tracepoint.h>

#include <drm/drm_page_pool.h>

DECLARE_EVENT_CLASS(drm_page_pool_block,
		    TP_PROTO(const struct drm_page_pool *pool, struct page *page,
			     int nid),
		    TP_ARGS(pool, page, nid),
		    TP_STRUCT__entry(__string(name, pool->ops->name)
				     __string(owner, pool->owner ?: "")
				     __field(bool, has_owner)
				     __field(unsigned int, order)
				     __field(int, nid)
				     __field(bool, hit)
				     __field(unsigned long, pfn)),
		    TP_fast_assign(__assign_str(name);
				   __assign_str(owner);
				   __entry->has_owner = pool->owner;
				   __entry->order = pool->order;
				   __entry->nid = nid;
				   __entry->hit = page;
				   __entry->pfn = page ? page_to_pfn(page) : 0;),
		    TP_printk("pool=%s%s%s order=%u nid=%d pfn=0x%lx",
			      __get_str(name), __entry->has_owner ? "@" : "",
			      __get_str(owner), __entry->order, __entry->nid,
			      __entry->pfn)
);

/* @nid is the node asked for, NUMA_NO_NODE for any; pfn is 0 on a miss */
DEFINE_EVENT_PRINT(drm_page_pool_block, drm_page_pool_take,
		   TP_PROTO(const struct drm_page_pool *pool,
			    struct page *page, int nid),
		   TP_ARGS(pool, page, nid),
		   TP_printk("pool=%s%s%s order=%u nid=%d %s pfn=0x%lx",
			     __get_str(name), __entry->has_owner ? "@" : "",
			     __get_str(owner), __entry->order, __entry->nid,
			     __entry->hit ? "hit" : "miss", __entry->pfn)
);

/* @nid is the node of the block given, the list it is pooled on */
DEFINE_EVENT(drm_page_pool_block, drm_page_pool_give,
	     TP_PROTO(const struct drm_page_pool *pool, struct page *page,
		      int nid),
	     TP_ARGS(pool, page, nid)
);

TRACE_EVENT(drm_page_pool_shrink,
	    TP_PROTO(int nid, unsigned long nr_to_scan, unsigned long freed),
	    TP_ARGS(nid, nr_to_scan, freed),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned long, nr_to_scan)
			     __field(unsigned long, freed)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->nr_to_scan = nr_to_scan;
			   __entry->freed = freed;),
	    TP_printk("nid=%d nr_to_scan=%lu freed=%lu",
		      __entry->nid, __entry->nr_to_scan, __entry->freed)
);

#endif /* _DRM_PAGE_POOL_TRACE_H_ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE page_pool_trace
#include <trace/define_trace.h>
