;; The framer's hot loop (framer.ts), in WebAssembly: frames the whole elements of an all-ASCII region
;; of this module's memory. Assembled into framer-scan.wasm by `npm run build:wasm`; the JavaScript
;; side is framer-scan.ts, and framer-scan.test.ts checks that the .wasm is this file assembled.
;;
;; Each element's position depends on the one before (length prefix, value, terminator), so the loop is
;; a chain of dependent loads: as JavaScript it ran at 1.2-1.5 ms per MB of small drawing instructions
;; inside the relay, depending on how V8 laid out the code. Here the common element (an argument with a
;; one-digit prefix) has a loop of its own whose chain is one load and one add per element: about 0.47
;; ms per MB, about 6 cycles an element (decision 009). Runs of small instructions are skimmed by two
;; such chains at once, branch-free (`$skim`, decision 012); the element loop takes everything else.
;;
;; Memory (fixed at 9 pages: it never grows, so JavaScript's views of it stay valid):
;;   0      results of `frame`, ten i32 (see the end of `frame`)
;;   256    256 bytes: non-zero at b when some watched opcode starts with byte b
;;   512    the watched opcodes: a count byte, then for each a length byte and its bytes
;;   4096   watched instructions found: (start, end) i32 pairs, up to 7680 pairs
;;   65536  the skim's digit table (64 KiB, see "Skimming")
;;   131072 the read buffer guacd sockets read into (256 KiB), scanned in place
;;   393216 a window for other chunks, copied in (64 KiB)
;;   458752 the skim's terminator table and lists, then room for a step taken from garbage
(module
  (memory (export "memory") 9 9)

  (global $watchedPairs i32 (i32.const 4096))
  (global $maxWatchedPairs i32 (i32.const 7680))

  ;; Whether the `length` bytes at `start` spell one of the watched opcodes.
  (func $isWatchedOpcode (param $start i32) (param $length i32) (result i32)
    (local $count i32) (local $entry i32) (local $entryLength i32) (local $i i32)
    (local.set $count (i32.load8_u (i32.const 512)))
    (local.set $entry (i32.const 513))
    (block $none
      (loop $next
        (br_if $none (i32.eqz (local.get $count)))
        (local.set $entryLength (i32.load8_u (local.get $entry)))
        (if (i32.eq (local.get $entryLength) (local.get $length))
          (then
            (local.set $i (i32.const 0))
            (block $differs
              (loop $byte
                (if (i32.ge_u (local.get $i) (local.get $length)) (then (return (i32.const 1))))
                (br_if $differs
                  (i32.ne
                    (i32.load8_u (i32.add (local.get $start) (local.get $i)))
                    (i32.load8_u (i32.add (i32.add (local.get $entry) (i32.const 1)) (local.get $i)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $byte)))))
        (local.set $entry (i32.add (i32.add (local.get $entry) (i32.const 1)) (local.get $entryLength)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; ---- Skimming (decision 012) ----------------------------------------------------------------
  ;; Walking elements one after another is a chain of dependent loads (about 7 cycles an element),
  ;; so runs of small instructions are walked by two chains at once: A from a known instruction end,
  ;; B from a guessed one (a ";" near the middle of the region), which counts only if A lands on it
  ;; exactly. Each step is branch-free: it takes the element as "d." + d bytes + terminator, and flags
  ;; anything else in an accumulator checked once per turn. Anything a step does not take (a longer
  ;; prefix, a wrong terminator, an error) ends the skim before it; the element loop takes it from
  ;; there, so errors are found and reported by the element loop alone.
  ;;
  ;; A chain's position is the terminator before its next element. From "d." (the little-endian u16
  ;; 0x2E30 + d) at q + 1, the next terminator is at q + 3 + d = q + u16 - 0x2E2D. A turn takes at
  ;; most two steps of a chain before its flags are looked at, so a chain that met garbage has gone at
  ;; most 2 x 0xD1D2 bytes past the region or 2 x 0x2E2D before it: both still inside the memory.
  ;; Tables and lists:
  ;;   65536   64 KiB, byte u16 is 0 for "0." to "9.", 2 otherwise.
  ;;   458752  256 bytes: 0 for ",", 4 for ";" (a chain's step in its list of ends), 1 otherwise.
  ;;   459776  chain A's list of instruction ends (its ";" positions, i32), 44 KiB: a skim takes at
  ;;           most 64 KiB, each chain about half of it, at least 3 bytes an instruction.
  ;;   504832  chain B's list, 44 KiB.

  (func $fillTables
    (memory.fill (i32.const 65536) (i32.const 2) (i32.const 65536))
    (memory.fill (i32.const 77360) (i32.const 0) (i32.const 10))
    (memory.fill (i32.const 458752) (i32.const 1) (i32.const 256))
    (i32.store8 (i32.const 458796) (i32.const 0))
    (i32.store8 (i32.const 458811) (i32.const 4)))
  (start $fillTables)

  ;; The ";" of the last instruction in the list [at, to) of instruction ends that follows `prev`
  ;; (an instruction end) and may be handed on without the element loop: at most `maxSpan` bytes
  ;; (so fewer elements than the limit) and an opcode that is not watched. Returns `prev` for none.
  (func $lastPlainEnd (param $prev i32) (param $at i32) (param $to i32) (param $maxSpan i32) (param $watchLengths i32) (result i32)
    (local $q i32) (local $length i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $to)))
        (local.set $q (i32.load (local.get $at)))
        (br_if $done (i32.gt_u (i32.sub (local.get $q) (local.get $prev)) (local.get $maxSpan)))
        ;; The opcode: a one-digit length at prev + 1, its bytes from prev + 3. Cheap filters first,
        ;; as in `frame`.
        (local.set $length (i32.sub (i32.load8_u offset=1 (local.get $prev)) (i32.const 48)))
        (br_if $done
          (if (result i32)
            (i32.and
              (i32.and (i32.shr_u (local.get $watchLengths) (local.get $length)) (i32.const 1))
              (i32.or (i32.eqz (local.get $length)) (i32.load8_u offset=256 (i32.load8_u offset=3 (local.get $prev)))))
            (then (call $isWatchedOpcode (i32.add (local.get $prev) (i32.const 3)) (local.get $length)))
            (else (i32.const 0))))
        (local.set $prev (local.get $q))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next)))
    (local.get $prev))

  ;; The last of the instruction ends in the list [at, to), or `prev` when it is empty.
  (func $lastInList (param $prev i32) (param $at i32) (param $to i32) (result i32)
    (select (i32.load (i32.sub (local.get $to) (i32.const 4))) (local.get $prev) (i32.gt_u (local.get $to) (local.get $at))))

  ;; Skims the whole instructions after `q0` (an instruction's ";", or the byte before the region),
  ;; up to `end`. Returns the ";" of the last one taken, or q0 for none. Stores at 32 the ";" of the
  ;; last instruction the chains walked, taken or not (the pass over the lists may stop before it).
  (func $skim (param $q0 i32) (param $end i32) (param $maxSpan i32) (param $watchLengths i32) (result i32)
    (local $gB i32) (local $limB i32) (local $turns i32) (local $last i32) (local $saved i32)
    (local $qA i32) (local $iA i32) (local $accA i32) (local $wA i32) (local $kA i32)
    (local $qB i32) (local $iB i32) (local $accB i32) (local $wB i32) (local $kB i32)
    ;; At most 64 KiB at a time: the lists have room for that.
    (if (i32.gt_u (i32.sub (local.get $end) (local.get $q0)) (i32.const 65536))
      (then (local.set $end (i32.add (local.get $q0) (i32.const 65536)))))
    ;; B's start: the first ";" in the 64 bytes from the middle.
    (local.set $gB (i32.add (local.get $q0) (i32.shr_u (i32.sub (local.get $end) (local.get $q0)) (i32.const 1))))
    (local.set $last (i32.add (local.get $gB) (i32.const 64)))
    (block $found
      (loop $scan
        (if (i32.ge_u (local.get $gB) (local.get $last))
          (then
            (i32.store (i32.const 32) (local.get $q0))
            (return (local.get $q0))))
        (br_if $found (i32.eq (i32.load8_u (local.get $gB)) (i32.const 59)))
        (local.set $gB (i32.add (local.get $gB) (i32.const 1)))
        (br $scan)))
    ;; A steps while its terminator is before B's start; B while a whole element (at most 12 bytes)
    ;; fits before `end`.
    (local.set $limB (i32.sub (local.get $end) (i32.const 12)))
    (local.set $qA (local.get $q0))
    (local.set $iA (i32.const 459776))
    (local.set $qB (local.get $gB))
    (local.set $iB (i32.const 504832))
    ;; Together, in batches of turns that cannot take either chain past its limit (a turn is two
    ;; steps of each, at most 24 bytes), so a turn checks only the flags.
    (block $apart
      (loop $batch
        (local.set $turns
          (i32.div_s
            (select
              (i32.sub (local.get $gB) (local.get $qA))
              (i32.sub (local.get $limB) (local.get $qB))
              (i32.lt_s (i32.sub (local.get $gB) (local.get $qA)) (i32.sub (local.get $limB) (local.get $qB))))
            (i32.const 24)))
        (br_if $apart (i32.le_s (local.get $turns) (i32.const 0)))
        (loop $together
        (local.set $wA (i32.load16_u offset=1 (local.get $qA)))
        (local.set $qA (i32.add (local.get $qA) (i32.sub (local.get $wA) (i32.const 0x2E2D))))
        (local.set $kA (i32.load8_u offset=458752 (i32.load8_u (local.get $qA))))
        (local.set $accA (i32.or (i32.or (local.get $accA) (local.get $kA)) (i32.load8_u offset=65536 (local.get $wA))))
        (i32.store (local.get $iA) (local.get $qA))
        (local.set $iA (i32.add (local.get $iA) (local.get $kA)))
        (local.set $wB (i32.load16_u offset=1 (local.get $qB)))
        (local.set $qB (i32.add (local.get $qB) (i32.sub (local.get $wB) (i32.const 0x2E2D))))
        (local.set $kB (i32.load8_u offset=458752 (i32.load8_u (local.get $qB))))
        (local.set $accB (i32.or (i32.or (local.get $accB) (local.get $kB)) (i32.load8_u offset=65536 (local.get $wB))))
        (i32.store (local.get $iB) (local.get $qB))
        (local.set $iB (i32.add (local.get $iB) (local.get $kB)))
        (local.set $wA (i32.load16_u offset=1 (local.get $qA)))
        (local.set $qA (i32.add (local.get $qA) (i32.sub (local.get $wA) (i32.const 0x2E2D))))
        (local.set $kA (i32.load8_u offset=458752 (i32.load8_u (local.get $qA))))
        (local.set $accA (i32.or (i32.or (local.get $accA) (local.get $kA)) (i32.load8_u offset=65536 (local.get $wA))))
        (i32.store (local.get $iA) (local.get $qA))
        (local.set $iA (i32.add (local.get $iA) (local.get $kA)))
        (local.set $wB (i32.load16_u offset=1 (local.get $qB)))
        (local.set $qB (i32.add (local.get $qB) (i32.sub (local.get $wB) (i32.const 0x2E2D))))
        (local.set $kB (i32.load8_u offset=458752 (i32.load8_u (local.get $qB))))
        (local.set $accB (i32.or (i32.or (local.get $accB) (local.get $kB)) (i32.load8_u offset=65536 (local.get $wB))))
        (i32.store (local.get $iB) (local.get $qB))
        (local.set $iB (i32.add (local.get $iB) (local.get $kB)))
          (br_if $apart (i32.and (i32.or (local.get $accA) (local.get $accB)) (i32.const 3)))
          (local.set $turns (i32.sub (local.get $turns) (i32.const 1)))
          (br_if $together (local.get $turns)))
        (br $batch)))
    ;; A chain that flagged something starts again from its start, alone, step by step; so does the
    ;; rest of A's way to B's start.
    (if (i32.and (local.get $accA) (i32.const 3))
      (then
        (local.set $qA (local.get $q0))
        (local.set $iA (i32.const 459776))
        (local.set $accA (i32.const 0))))
    (block $reachedB
      (loop $aloneA
        (br_if $reachedB (i32.ge_u (local.get $qA) (local.get $gB)))
        (local.set $saved (local.get $iA))
        (local.set $wA (i32.load16_u offset=1 (local.get $qA)))
        (local.set $qA (i32.add (local.get $qA) (i32.sub (local.get $wA) (i32.const 0x2E2D))))
        (local.set $kA (i32.load8_u offset=458752 (i32.load8_u (local.get $qA))))
        (local.set $accA (i32.or (i32.or (local.get $accA) (local.get $kA)) (i32.load8_u offset=65536 (local.get $wA))))
        (i32.store (local.get $iA) (local.get $qA))
        (local.set $iA (i32.add (local.get $iA) (local.get $kA)))
        (br_if $aloneA (i32.eqz (i32.and (local.get $accA) (i32.const 3))))
        (i32.store (i32.const 32) (call $lastInList (local.get $q0) (i32.const 459776) (local.get $saved)))
        (return (call $lastPlainEnd (local.get $q0) (i32.const 459776) (local.get $saved) (local.get $maxSpan) (local.get $watchLengths)))))
    (i32.store (i32.const 32) (call $lastInList (local.get $q0) (i32.const 459776) (local.get $iA)))
    (local.set $last (call $lastPlainEnd (local.get $q0) (i32.const 459776) (local.get $iA) (local.get $maxSpan) (local.get $watchLengths)))
    ;; A stepped over B's start (so the guess was inside a value), or stopped before it.
    (if (i32.or (i32.ne (local.get $qA) (local.get $gB)) (i32.ne (local.get $last) (local.get $gB))) (then (return (local.get $last))))
    ;; B's start is an instruction end, so B's steps count, up to the first it flags.
    (if (i32.and (local.get $accB) (i32.const 3))
      (then
        (local.set $qB (local.get $gB))
        (local.set $iB (i32.const 504832))
        (local.set $accB (i32.const 0))))
    (block $doneB
      (loop $aloneB
        (br_if $doneB (i32.ge_u (local.get $qB) (local.get $limB)))
        (local.set $saved (local.get $iB))
        (local.set $wB (i32.load16_u offset=1 (local.get $qB)))
        (local.set $qB (i32.add (local.get $qB) (i32.sub (local.get $wB) (i32.const 0x2E2D))))
        (local.set $kB (i32.load8_u offset=458752 (i32.load8_u (local.get $qB))))
        (local.set $accB (i32.or (i32.or (local.get $accB) (local.get $kB)) (i32.load8_u offset=65536 (local.get $wB))))
        (i32.store (local.get $iB) (local.get $qB))
        (local.set $iB (i32.add (local.get $iB) (local.get $kB)))
        (br_if $aloneB (i32.eqz (i32.and (local.get $accB) (i32.const 3))))
        (local.set $iB (local.get $saved))))
    (i32.store (i32.const 32) (call $lastInList (local.get $gB) (i32.const 504832) (local.get $iB)))
    (call $lastPlainEnd (local.get $gB) (i32.const 504832) (local.get $iB) (local.get $maxSpan) (local.get $watchLengths)))

  ;; Frames the region [p, end) from `p`, the start of an element of the instruction that starts at
  ;; `instructionStart` and has `elements` elements before it (0: `p` starts an instruction), whose
  ;; opcode is watched if `isWatched`. Stops at the first element that may not lie wholly before
  ;; `end`, or at an instruction's end once the watched pairs are full.
  ;; Returns 0, or the first error: 1 a byte that is neither digit nor "." in a length prefix (or no
  ;; digit), 2 a second or later digit that makes the prefix too long (more than `maxDigits` digits,
  ;; or a length over `maxElementLength`; the length so far at 24), 3 a first digit over
  ;; `maxElementLength`, 4 a comma after `maxElements` elements, 5 an element not followed by "," or ";".
  ;; The checks and their order are those of framer.ts's state machine, so errors are reported alike.
  (func (export "frame")
    (param $p i32) (param $end i32) (param $instructionStart i32) (param $elements i32) (param $isWatched i32)
    (param $maxElementLength i32) (param $maxElements i32) (param $maxDigits i32) (param $watchLengths i32)
    (param $maxSpan i32)
    (result i32)
    (local $prefixFitsBefore i32) (local $lastEnd i32) (local $length i32) (local $q i32) (local $byte i32)
    (local $digit i32) (local $valueEnd i32) (local $terminator i32) (local $watched i32) (local $next i32) (local $maxOneDigit i32)
    (local $skimFrom i32)
    ;; Below this, a whole length prefix (at most maxDigits digits and ".") lies before `end`.
    (local.set $prefixFitsBefore (i32.sub (local.get $end) (local.get $maxDigits)))
    (local.set $lastEnd (i32.const -1))
    ;; The largest length a one-digit prefix may give.
    (local.set $maxOneDigit
      (select (local.get $maxElementLength) (i32.const 9) (i32.lt_u (local.get $maxElementLength) (i32.const 9))))
    (i32.store (i32.const 28) (i32.const 0))
    (i32.store (i32.const 36) (i32.const 0))
    ;; Skimming needs every one-digit length to be within the limit; maxSpan 0 turns it off.
    (local.set $skimFrom
      (select (local.get $p) (i32.const 0x7fffffff) (i32.and (i32.gt_s (local.get $maxSpan) (i32.const 0)) (i32.ge_u (local.get $maxElementLength) (i32.const 9)))))
    (block $stop
      (loop $element
        (br_if $stop (i32.ge_s (local.get $p) (local.get $prefixFitsBefore)))
        ;; At an instruction's start, with room ahead: skim what can be skimmed. When nothing could
        ;; be, the next try waits 256 bytes, so a stream of other instructions pays little for it.
        (if (i32.and (i32.eqz (local.get $elements))
              (i32.and (i32.ge_s (local.get $p) (local.get $skimFrom)) (i32.ge_s (i32.sub (local.get $end) (local.get $p)) (i32.const 256))))
          (then
            (local.set $q (call $skim (i32.sub (local.get $p) (i32.const 1)) (local.get $end) (local.get $maxSpan) (local.get $watchLengths)))
            (i32.store (i32.const 36) (i32.add (i32.load (i32.const 36)) (i32.sub (i32.load (i32.const 32)) (i32.sub (local.get $p) (i32.const 1)))))
            (if (i32.ge_s (local.get $q) (local.get $p))
              (then
                (i32.store (i32.const 28) (i32.add (i32.load (i32.const 28)) (i32.sub (i32.add (local.get $q) (i32.const 1)) (local.get $p))))
                (local.set $p (i32.add (local.get $q) (i32.const 1)))
                (local.set $lastEnd (local.get $p))
                (local.set $instructionStart (local.get $p))
                (local.set $skimFrom (local.get $p))
                (br_if $stop (i32.ge_s (local.get $p) (local.get $prefixFitsBefore))))
              (else (local.set $skimFrom (i32.add (local.get $p) (i32.const 256)))))
            ;; The chains walked further than the skim took (it stopped before a watched opcode or a
            ;; long instruction): the element loop takes the rest of that stretch, so that it is not
            ;; walked again for each instruction in it.
            (if (i32.gt_s (i32.load (i32.const 32)) (local.get $skimFrom))
              (then (local.set $skimFrom (i32.add (i32.load (i32.const 32)) (i32.const 1)))))))
        ;; The length prefix; an unsigned "> 9" is "not a digit" in one comparison.
        (local.set $byte (i32.load8_u (local.get $p)))
        (local.set $length (i32.sub (local.get $byte) (i32.const 48)))
        (if (i32.gt_u (local.get $length) (i32.const 9)) (then (return (i32.const 1))))
        ;; Like the state machine, the length is checked after every digit (this one only matters
        ;; for limits under 10).
        (if (i32.gt_u (local.get $length) (local.get $maxElementLength)) (then (return (i32.const 3))))
        (if (i32.eq (i32.load8_u offset=1 (local.get $p)) (i32.const 46))
          (then
            ;; One digit, as in most elements. N ASCII codepoints are N bytes, so the terminator is
            ;; at p + 2 + N. The next element's start is computed straight from the byte read: this
            ;; chain of dependent steps, element to element, is what bounds the loop's speed.
            (local.set $valueEnd (i32.add (i32.sub (local.get $p) (i32.const 46)) (local.get $byte)))
            (local.set $next (i32.add (i32.sub (local.get $p) (i32.const 45)) (local.get $byte))))
          (else
            (local.set $q (i32.add (local.get $p) (i32.const 1)))
            (block $prefixEnd
              (loop $digits
                (local.set $byte (i32.load8_u (local.get $q)))
                (br_if $prefixEnd (i32.eq (local.get $byte) (i32.const 46)))
                (local.set $digit (i32.sub (local.get $byte) (i32.const 48)))
                (if (i32.gt_u (local.get $digit) (i32.const 9)) (then (return (i32.const 1))))
                (local.set $length (i32.add (i32.mul (local.get $length) (i32.const 10)) (local.get $digit)))
                (if (i32.or
                      (i32.ge_s (i32.sub (local.get $q) (local.get $p)) (local.get $maxDigits))
                      (i32.gt_u (local.get $length) (local.get $maxElementLength)))
                  (then
                    (i32.store (i32.const 24) (local.get $length))
                    (return (i32.const 2))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $digits)))
            (local.set $valueEnd (i32.add (i32.add (local.get $q) (i32.const 1)) (local.get $length)))
            (local.set $next (i32.add (local.get $valueEnd) (i32.const 1)))))
        (br_if $stop (i32.ge_s (local.get $valueEnd) (local.get $end)))
        ;; q: the "." before the value.
        (local.set $q (i32.sub (i32.sub (local.get $valueEnd) (local.get $length)) (i32.const 1)))
        (if (i32.eqz (local.get $elements))
          (then
            ;; Cheap filters first (a watched opcode's length, then its first byte; "" has none).
            (local.set $isWatched
              (if (result i32)
                (i32.and
                  (i32.and
                    (i32.lt_u (local.get $length) (i32.const 32))
                    (i32.and (i32.shr_u (local.get $watchLengths) (local.get $length)) (i32.const 1)))
                  (i32.or
                    (i32.eqz (local.get $length))
                    (i32.load8_u (i32.add (i32.const 256) (i32.load8_u (i32.add (local.get $q) (i32.const 1)))))))
                (then (call $isWatchedOpcode (i32.add (local.get $q) (i32.const 1)) (local.get $length)))
                (else (i32.const 0))))))
        (local.set $terminator (i32.load8_u (local.get $valueEnd)))
        (local.set $p (local.get $next))
        ;; The elements that follow an element's ",", in a tighter loop for the common case: a
        ;; one-digit prefix and the element wholly in the region. Any other element goes back to
        ;; the loop above, which takes it from its start.
        (block $instructionEnd
          (loop $argument
            (br_if $instructionEnd (i32.ne (local.get $terminator) (i32.const 44)))
            (local.set $elements (i32.add (local.get $elements) (i32.const 1)))
            (if (i32.ge_s (local.get $elements) (local.get $maxElements)) (then (return (i32.const 4))))
            (br_if $element (i32.ge_s (local.get $p) (local.get $prefixFitsBefore)))
            (local.set $byte (i32.load8_u (local.get $p)))
            (br_if $element (i32.gt_u (i32.sub (local.get $byte) (i32.const 48)) (local.get $maxOneDigit)))
            (br_if $element (i32.ne (i32.load8_u offset=1 (local.get $p)) (i32.const 46)))
            (local.set $valueEnd (i32.add (i32.sub (local.get $p) (i32.const 46)) (local.get $byte)))
            (br_if $element (i32.ge_s (local.get $valueEnd) (local.get $end)))
            (local.set $terminator (i32.load8_u (local.get $valueEnd)))
            (local.set $p (i32.add (i32.sub (local.get $p) (i32.const 45)) (local.get $byte)))
            (br $argument)))
        (if (i32.ne (local.get $terminator) (i32.const 59)) (then (return (i32.const 5))))
        ;; The end of an instruction.
        (if (local.get $isWatched)
          (then
            (i32.store (i32.add (global.get $watchedPairs) (i32.shl (local.get $watched) (i32.const 3))) (local.get $instructionStart))
            (i32.store (i32.add (global.get $watchedPairs) (i32.add (i32.shl (local.get $watched) (i32.const 3)) (i32.const 4))) (local.get $p))
            (local.set $watched (i32.add (local.get $watched) (i32.const 1)))))
        (local.set $lastEnd (local.get $p))
        (local.set $instructionStart (local.get $p))
        (local.set $elements (i32.const 0))
        (br_if $stop (i32.ge_u (local.get $watched) (global.get $maxWatchedPairs)))
        (br $element)))
    ;; Results: 0 end of the last instruction completed (-1: none), 4 where it stopped (an element's
    ;; start), 8 that element's instruction's start, 12 elements before it, 16 whether that
    ;; instruction is watched, 20 watched pairs written, 28 bytes skimmed and 36 bytes the skim's
    ;; chains walked (both written as it goes).
    (i32.store (i32.const 0) (local.get $lastEnd))
    (i32.store (i32.const 4) (local.get $p))
    (i32.store (i32.const 8) (local.get $instructionStart))
    (i32.store (i32.const 12) (local.get $elements))
    (i32.store (i32.const 16) (local.get $isWatched))
    (i32.store (i32.const 20) (local.get $watched))
    (i32.const 0))
)
