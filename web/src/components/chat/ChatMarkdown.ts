/**
 * A message's text as elements (lib/chat/markdown's tree): never HTML, links only to http, https
 * and mailto with rel="noopener noreferrer", mentions of the viewer highlighted.
 */
import { defineComponent, h, type PropType, type VNode } from 'vue'
import { markMentions, parse, type Inline } from '@/lib/chat/markdown'

export default defineComponent({
  name: 'ChatMarkdown',
  props: {
    source: { type: String, required: true },
    mentioned: { type: Array as PropType<{ id: string; name: string }[]>, default: () => [] },
    mentionsRoom: { type: Boolean, default: false },
    me: { type: String, default: '' },
  },
  setup(props) {
    const inline = (list: Inline[] | undefined): (VNode | string)[] =>
      (list ?? []).map((i) => {
        switch (i.kind) {
          case 'bold':
            return h('strong', { class: 'font-semibold' }, inline(i.children))
          case 'italic':
            return h('em', inline(i.children))
          case 'strike':
            return h('s', inline(i.children))
          case 'code':
            return h('code', { class: 'rounded bg-n-alpha-2 px-1 py-px font-mono text-[0.85em]' }, i.text)
          case 'link':
          case 'url':
            return h('a', { href: i.url, target: '_blank', rel: 'noopener noreferrer', class: 'text-n-blue-11 underline break-all' }, i.kind === 'url' ? i.text : inline(i.children))
          case 'mention':
            return h(
              'span',
              {
                class: ['rounded px-0.5 font-medium', i.userId === props.me || i.userId === '@room' ? 'bg-n-amber-3 text-n-amber-11' : 'bg-n-blue-3 text-n-blue-11'],
                'data-testid': 'chat-mention',
                'data-user-id': i.userId,
              },
              i.text,
            )
          default:
            return i.text ?? ''
        }
      })
    return () => {
      const blocks = markMentions(parse(props.source), props.mentioned, props.mentionsRoom)
      const out: VNode[] = []
      let list: VNode[] = []
      const flushList = () => {
        if (list.length) out.push(h('ul', { class: 'ms-4 list-disc' }, list))
        list = []
      }
      for (const b of blocks) {
        if (b.kind === 'item') {
          list.push(h('li', inline(b.inlines)))
          continue
        }
        flushList()
        if (b.kind === 'code_block') out.push(h('pre', { class: 'my-1 overflow-x-auto rounded-md bg-n-alpha-2 p-2 font-mono text-xs', 'data-lang': b.lang || undefined }, h('code', b.code)))
        else if (b.kind === 'quote') out.push(h('blockquote', { class: 'border-s-2 border-n-slate-7 ps-2 text-n-slate-11' }, inline(b.inlines)))
        else out.push(h('p', { class: 'min-h-[1lh] break-words whitespace-pre-wrap' }, inline(b.inlines)))
      }
      flushList()
      return h('div', { class: 'flex flex-col gap-0.5' }, out)
    }
  },
})
