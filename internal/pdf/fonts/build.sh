#!/bin/sh
# Regenerates the font subsets that internal/pdf embeds, from Debian's
# font packages, with fontTools' subsetter (pyftsubset). Run it from any
# directory after:
#
#   apt-get install -y fonts-noto-core fonts-dejavu-core \
#       fonts-droid-fallback fonts-symbola python3-fonttools
#
# Every output is TrueType with glyf outlines (the PDF writer cannot read
# CFF), hinting dropped, and only the Unicode ranges listed below kept.
# docs/pdf.md says which font covers which script and under what licence.
set -eu
cd "$(dirname "$0")"
PY=/usr/bin/python3
NOTO=/usr/share/fonts/truetype/noto
subset() { # subset SOURCE OUTPUT RANGES [EXTRA ARGS]
	src=$1 out=$2 ranges=$3
	shift 3
	$PY -m fontTools.subset "$src" --output-file="$out" --unicodes="$ranges" \
		--no-hinting --layout-features='' --name-IDs='*' --name-languages='*' \
		--notdef-outline --drop-tables+=GSUB,GPOS,GDEF,DSIG "$@"
}

# Latin (Basic, Latin-1, Extended-A and -B, IPA, spacing modifiers,
# combining marks, Extended Additional: Somali, Oromo, Hmong RPA,
# Vietnamese and the rest of Europe), Greek, Cyrillic, general
# punctuation (dashes, curly quotes), currency, letterlike symbols.
LATIN='U+0020-007E,U+00A0-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1AB0-1AFF,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2C60-2C7F,U+A720-A7FF,U+FB00-FB06'
subset $NOTO/NotoSans-Regular.ttf NotoSans-Regular.ttf "$LATIN"
subset $NOTO/NotoSans-Bold.ttf NotoSans-Bold.ttf "$LATIN"

# Arabic, Arabic Supplement and both blocks of presentation forms: the
# writer shapes letters into presentation forms itself.
subset $NOTO/NotoSansArabic-Regular.ttf NotoSansArabic-Regular.ttf \
	'U+0600-06FF,U+0750-077F,U+FB50-FDFF,U+FE70-FEFF,U+200C-200F'

# Hebrew letters, points and presentation forms (drawn right to left;
# the points are not positioned).
subset $NOTO/NotoSansHebrew-Regular.ttf NotoSansHebrew-Regular.ttf 'U+0590-05FF,U+FB1D-FB4F'

# Ethiopic (Ge'ez: Amharic, Tigrinya, Oromo in Ge'ez), its supplement
# and extensions.
subset $NOTO/NotoSansEthiopic-Regular.ttf NotoSansEthiopic-Regular.ttf \
	'U+1200-139F,U+2D80-2DDF,U+AB00-AB2F'

# Han: the 6,763 characters of GB 2312 (simplified Chinese) and the 5,401
# frequent characters of Big5 level 1 (traditional Chinese), with CJK
# punctuation, kana and full-width forms. Other Han characters print as
# the replacement box; the text layer still carries them.
$PY - >han.txt <<'PY'
chars = set()
for hi in range(0xB0, 0xF8):          # GB 2312 rows 16-87: all hanzi
    for lo in range(0xA1, 0xFF):
        try: chars.add(bytes([hi, lo]).decode('gb2312'))
        except UnicodeDecodeError: pass
for hi in range(0xA4, 0xC7):          # Big5 level 1: A440-C67E
    for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
        if (hi, lo) > (0xC6, 0x7E): break
        try: chars.add(bytes([hi, lo]).decode('big5'))
        except UnicodeDecodeError: pass
han = sorted(c for c in chars if 0x3400 <= ord(c) <= 0x9FFF)
print(','.join('U+%04X' % ord(c) for c in han))
PY
subset /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf DroidSansFallback-Han.ttf \
	"$(cat han.txt),U+3000-303F,U+3040-30FF,U+FF00-FFEF"
rm han.txt

# Symbols and emoji, monochrome: miscellaneous symbols, dingbats, arrows,
# and the emoji blocks. The PDF writer addresses glyphs by 16-bit code,
# so emoji above U+FFFF are moved to the private use area:
# U+1F000-1FAFF to U+E000-EAFF (code - 0x1F000 + 0xE000); the writer maps
# them back in the text layer.
subset /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf Symbola-tmp.ttf \
	'U+2190-21FF,U+2300-23FF,U+2460-24FF,U+25A0-25FF,U+2600-27BF,U+2900-297F,U+2B00-2BFF,U+1F000-1FAFF'
$PY - <<'PY'
from fontTools.ttLib import TTFont
f = TTFont('Symbola-tmp.ttf', recalcTimestamp=False)
moved = {}
for cp, g in f.getBestCmap().items():
    if 0x1F000 <= cp <= 0x1FAFF:
        moved[cp - 0x1F000 + 0xE000] = g
    elif cp <= 0xFFFF:
        moved[cp] = g
f['cmap'].tables = [t for t in f['cmap'].tables if t.format == 4]
for t in f['cmap'].tables:
    t.cmap = dict(moved)
f.save('Symbola-Emoji.ttf')
PY
rm Symbola-tmp.ttf

# The last resort for symbols the others lack: mathematical operators,
# technical symbols, box drawing, geometric shapes (the replacement box
# U+25A1) and U+FFFD.
subset /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf DejaVuSans-Symbols.ttf \
	'U+2190-23FF,U+2500-25FF,U+2600-26FF,U+2700-27BF,U+FFFD'

cp /usr/share/doc/fonts-noto-core/copyright LICENSE-Noto.txt
cp /usr/share/doc/fonts-dejavu-core/copyright LICENSE-DejaVu.txt
cp /usr/share/doc/fonts-droid-fallback/copyright LICENSE-DroidSansFallback.txt
cp /usr/share/doc/fonts-symbola/copyright LICENSE-Symbola.txt
ls -l ./*.ttf
