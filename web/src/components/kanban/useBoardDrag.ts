/**
 * Moving a card on the board, with a pointer (mouse or pen: pointer events, so it works the same
 * in a real browser and under DevTools input) or with the keyboard (space or enter picks the card
 * up, the arrows move it between columns and positions, space or enter drops it, escape puts it
 * back). Touch keeps the page scrolling; it moves cards through the move dialog.
 *
 * The composable only tracks where the card would go; the board decides what a drop means.
 */
import { onBeforeUnmount, ref, shallowRef, type Ref } from 'vue'

export type DropTarget = { kind: 'column'; stageId: string; index: number } | { kind: 'zone'; zone: 'won' | 'lost' }

export interface DragState {
  cardId: string
  title: string
  mode: 'pointer' | 'keyboard'
  fromStageId: string
  target: DropTarget | null
  /** Pointer position, for the card that follows it. */
  x: number
  y: number
}

export interface DragHooks {
  /** Stage ids in board order, and the ids of a column's cards in order. */
  stageIds(): string[]
  cardIds(stageId: string): string[]
  /** Where a card is now: its stage and its index among the other cards of that stage. */
  positionOf(cardId: string): { stageId: string; index: number } | null
  onStart(state: DragState): void
  onDrop(state: DragState, target: DropTarget): void
  onCancel(state: DragState): void
  /** Says something to screen readers. */
  announce(text: string, state: DragState): void
}

const THRESHOLD_PX = 5
const EDGE_PX = 48
const SCROLL_STEP = 14

export function useBoardDrag(hooks: DragHooks, scroller: Ref<HTMLElement | null>) {
  const drag = shallowRef<DragState | null>(null)
  /** Set right after a pointer drag ends, so the click that follows does not open the card. */
  const justDragged = ref(false)

  let pending: { cardId: string; title: string; stageId: string; x: number; y: number; pointerId: number } | null = null
  let frame = 0

  function update(patch: Partial<DragState>): void {
    if (drag.value) drag.value = { ...drag.value, ...patch }
  }

  // ---- pointer -------------------------------------------------------------------------------

  function pointerDown(e: PointerEvent, cardId: string, title: string, stageId: string): void {
    if (drag.value || e.button !== 0 || e.pointerType === 'touch') return
    const el = e.target as HTMLElement | null
    if (el?.closest('input, select, textarea, label, [data-no-drag]')) return
    pending = { cardId, title, stageId, x: e.clientX, y: e.clientY, pointerId: e.pointerId }
    window.addEventListener('pointermove', pointerMove)
    window.addEventListener('pointerup', pointerUp)
    window.addEventListener('pointercancel', pointerCancel)
  }

  function pointerMove(e: PointerEvent): void {
    if (pending && !drag.value) {
      if (e.pointerId !== pending.pointerId) return
      if (Math.hypot(e.clientX - pending.x, e.clientY - pending.y) < THRESHOLD_PX) return
      const state: DragState = {
        cardId: pending.cardId,
        title: pending.title,
        mode: 'pointer',
        fromStageId: pending.stageId,
        target: null,
        x: e.clientX,
        y: e.clientY,
      }
      drag.value = state
      hooks.onStart(state)
      document.body.classList.add('select-none')
      frame = requestAnimationFrame(autoScroll)
    }
    if (!drag.value || drag.value.mode !== 'pointer') return
    e.preventDefault()
    update({ x: e.clientX, y: e.clientY, target: targetAt(e.clientX, e.clientY) })
  }

  function pointerUp(e: PointerEvent): void {
    const state = drag.value
    stopPointer()
    if (!state || state.mode !== 'pointer') return
    const target = targetAt(e.clientX, e.clientY) ?? state.target
    drag.value = null
    justDragged.value = true
    setTimeout(() => (justDragged.value = false), 0)
    if (target) hooks.onDrop(state, target)
    else hooks.onCancel(state)
  }

  function pointerCancel(): void {
    const state = drag.value
    stopPointer()
    drag.value = null
    if (state) hooks.onCancel(state)
  }

  function stopPointer(): void {
    pending = null
    window.removeEventListener('pointermove', pointerMove)
    window.removeEventListener('pointerup', pointerUp)
    window.removeEventListener('pointercancel', pointerCancel)
    cancelAnimationFrame(frame)
    document.body.classList.remove('select-none')
  }

  /** The column (and position in it) or drop zone under a point. */
  function targetAt(x: number, y: number): DropTarget | null {
    const el = document.elementFromPoint(x, y) as HTMLElement | null
    const zone = el?.closest<HTMLElement>('[data-drop-zone]')
    if (zone) {
      const z = zone.dataset.dropZone
      if (z === 'won' || z === 'lost') return { kind: 'zone', zone: z }
    }
    const column = el?.closest<HTMLElement>('[data-column]')
    const stageId = column?.dataset.stageId
    if (!column || !stageId) return null
    const dragged = drag.value?.cardId
    const cards = [...column.querySelectorAll<HTMLElement>('[data-card-id]')].filter((c) => c.dataset.cardId !== dragged)
    let index = cards.length
    for (let i = 0; i < cards.length; i++) {
      const r = cards[i]!.getBoundingClientRect()
      if (y < r.top + r.height / 2) {
        index = i
        break
      }
    }
    return { kind: 'column', stageId, index }
  }

  /** Scrolls the board and the column under the pointer when it nears their edges. */
  function autoScroll(): void {
    const state = drag.value
    if (!state || state.mode !== 'pointer') return
    const board = scroller.value
    if (board) {
      const r = board.getBoundingClientRect()
      if (state.x < r.left + EDGE_PX) board.scrollLeft -= SCROLL_STEP
      else if (state.x > r.right - EDGE_PX) board.scrollLeft += SCROLL_STEP
    }
    const list = (document.elementFromPoint(state.x, state.y) as HTMLElement | null)?.closest<HTMLElement>('[data-column-list]')
    if (list) {
      const r = list.getBoundingClientRect()
      if (state.y < r.top + EDGE_PX) list.scrollTop -= SCROLL_STEP
      else if (state.y > r.bottom - EDGE_PX) list.scrollTop += SCROLL_STEP
    }
    frame = requestAnimationFrame(autoScroll)
  }

  // ---- keyboard ------------------------------------------------------------------------------

  /** Space or enter on a card: pick it up (or drop it, when it is the one being moved). */
  function keyDown(e: KeyboardEvent, cardId: string, title: string): boolean {
    const state = drag.value
    if (state && state.mode === 'keyboard') return keyboardMove(e)
    if (state || (e.key !== ' ' && e.key !== 'Enter')) return false
    const at = hooks.positionOf(cardId)
    if (!at) return false
    e.preventDefault()
    const next: DragState = {
      cardId,
      title,
      mode: 'keyboard',
      fromStageId: at.stageId,
      target: { kind: 'column', stageId: at.stageId, index: at.index },
      x: 0,
      y: 0,
    }
    drag.value = next
    hooks.onStart(next)
    window.addEventListener('keydown', windowKey, true)
    return true
  }

  function windowKey(e: KeyboardEvent): void {
    keyboardMove(e)
  }

  function keyboardMove(e: KeyboardEvent): boolean {
    const state = drag.value
    if (!state || state.mode !== 'keyboard') return false
    const target = state.target?.kind === 'column' ? state.target : null
    const stages = hooks.stageIds()
    switch (e.key) {
      case 'ArrowUp':
      case 'ArrowDown': {
        if (!target) break
        const size = hooks.cardIds(target.stageId).filter((id) => id !== state.cardId).length
        const index = Math.max(0, Math.min(size, target.index + (e.key === 'ArrowUp' ? -1 : 1)))
        setKeyboardTarget(state, { kind: 'column', stageId: target.stageId, index })
        break
      }
      case 'ArrowLeft':
      case 'ArrowRight': {
        if (!target) break
        const dir = (e.key === 'ArrowLeft') !== (document.documentElement.dir === 'rtl') ? -1 : 1
        const i = stages.indexOf(target.stageId) + dir
        const stageId = stages[i]
        if (!stageId) break
        const size = hooks.cardIds(stageId).filter((id) => id !== state.cardId).length
        setKeyboardTarget(state, { kind: 'column', stageId, index: Math.min(target.index, size) })
        break
      }
      case ' ':
      case 'Enter':
        endKeyboard()
        if (state.target) hooks.onDrop(state, state.target)
        else hooks.onCancel(state)
        break
      case 'Escape':
      case 'Esc':
      case 'Tab':
        endKeyboard()
        hooks.onCancel(state)
        if (e.key === 'Tab') return true // let the focus move on
        break
      default:
        return true
    }
    e.preventDefault()
    e.stopPropagation()
    return true
  }

  function setKeyboardTarget(state: DragState, target: DropTarget): void {
    const next = { ...state, target }
    drag.value = next
    hooks.announce('', next)
  }

  function endKeyboard(): void {
    window.removeEventListener('keydown', windowKey, true)
    drag.value = null
  }

  /** Cancels whatever drag is going on (the board closes, a dialog opens). */
  function cancel(): void {
    const state = drag.value
    stopPointer()
    window.removeEventListener('keydown', windowKey, true)
    drag.value = null
    if (state) hooks.onCancel(state)
  }

  onBeforeUnmount(() => {
    stopPointer()
    window.removeEventListener('keydown', windowKey, true)
  })

  return { drag, justDragged, pointerDown, keyDown, cancel }
}
