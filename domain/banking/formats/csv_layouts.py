"""The CSV layouts banks export, as presets detected from the header row.

Where each layout comes from is in tests/fixtures/banks/README.md. Revolut (both layouts), ING
Deutschland, bunq (both languages), N26's German export and Monzo are proven on real sample exports
copied from other open-source parsers' test suites (tests/fixtures/banks/csv-banks/); the others follow
the column names public importers read, proven only on rows we wrote.
"""

from __future__ import annotations

from domain.banking.formats.delimited import CsvMapping

COMPLETED = ("COMPLETED",)

PRESETS: dict[str, CsvMapping] = {
    # date,amount,payer,reference[,currency] — what most banks' "export CSV" can be set to
    "generic": CsvMapping(
        date="date", amount="amount", payer="payer", reference="reference", currency="currency"
    ),
    # Spanish/European online banking exports: semicolons, day first, decimal commas
    "eu": CsvMapping(
        date="Fecha",
        amount="Importe",
        payer="Ordenante",
        reference="Concepto",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # Revolut personal: Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance
    "revolut": CsvMapping(
        date="Completed Date",
        value_date="Started Date",
        amount="Amount",
        payer="Description",
        reference=None,
        currency="Currency",
        status="State",
        accepted_statuses=COMPLETED,
    ),
    # Revolut personal until 2019: "Completed Date ; Reference ; Paid Out (EUR) ; Paid In (EUR) ;
    # Exchange Out; Exchange In; Balance (EUR); Category", dates "Apr 8, 2018", money out and in in two
    # columns, in the currency the header names (EUR here; another currency: a custom mapping)
    "revolut-2018": CsvMapping(
        date="Completed Date",
        amount=None,
        debit="Paid Out (EUR)",
        credit="Paid In (EUR)",
        payer="Reference",
        reference=None,
        date_format="%b %d, %Y",
        delimiter=";",
    ),
    # Revolut Business: Date started (UTC),Date completed (UTC),ID,Type,State,Description,Reference,Payer,…,
    # Payment currency,Amount,…
    "revolut-business": CsvMapping(
        date="Date completed (UTC)",
        value_date="Date started (UTC)",
        amount="Amount",
        payer="Description",
        reference="Reference",
        currency="Payment currency",
        bank_id="ID",
        status="State",
        accepted_statuses=COMPLETED,
    ),
    # N26 until 2023: "Date","Payee","Account number","Transaction type","Payment reference","Amount (EUR)",…
    "n26": CsvMapping(
        date="Date",
        amount="Amount (EUR)",
        payer="Payee",
        payer_iban="Account number",
        reference="Payment reference",
    ),
    # N26 in German until 2023: Datum,Empfänger,Kontonummer,Transaktionstyp,Verwendungszweck,Kategorie,
    # Betrag (EUR),Betrag (Fremdwährung),Fremdwährung,Wechselkurs
    "n26-de": CsvMapping(
        date="Datum",
        amount="Betrag (EUR)",
        payer="Empfänger",
        payer_iban="Kontonummer",
        reference="Verwendungszweck",
    ),
    # N26 since 2023: "Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference",…
    "n26-2023": CsvMapping(
        date="Booking Date",
        value_date="Value Date",
        amount="Amount (EUR)",
        payer="Partner Name",
        payer_iban="Partner Iban",
        reference="Payment Reference",
    ),
    # ING Deutschland: a preamble (IBAN, holder, period), then Buchung;Wertstellungsdatum;
    # Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;[Saldo;Währung;]Betrag;Währung (the last Währung
    # is the amount's; Saldo is there only when the customer asked for it). Latin-1.
    "ing-de": CsvMapping(
        date="Buchung",
        value_date="Wertstellungsdatum",
        amount="Betrag",
        payer="Auftraggeber/Empfänger",
        reference="Verwendungszweck",
        currency="Währung",
        date_format="%d.%m.%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # ING Nederland: "Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";
    # "Mutatiesoort";"Mededelingen" — amounts unsigned, Af (out) / Bij (in) says which way
    "ing-nl": CsvMapping(
        date="Datum",
        amount="Bedrag (EUR)",
        payer="Naam / Omschrijving",
        payer_iban="Tegenrekening",
        reference="Mededelingen",
        direction="Af Bij",
        debit_marks=("AF",),
        date_format="%Y%m%d",
        delimiter=";",
        decimal_comma=True,
    ),
    # bunq in English: "Date","Amount","Account","Counterparty","Name","Description" — commas between the
    # columns, decimal commas inside the quoted amounts
    "bunq": CsvMapping(
        date="Date",
        amount="Amount",
        payer="Name",
        payer_iban="Counterparty",
        reference="Description",
        decimal_comma=True,
    ),
    # bunq in Dutch: "Datum","Bedrag","Rekening","Tegenrekening","Naam","Omschrijving"
    "bunq-nl": CsvMapping(
        date="Datum",
        amount="Bedrag",
        payer="Naam",
        payer_iban="Tegenrekening",
        reference="Omschrijving",
        decimal_comma=True,
    ),
    # Monzo: id,created,amount,currency,local_amount,local_currency,category,emoji,description,address,notes,…
    # — pounds, so the currency column decides (a file read as EUR would misstate every line)
    "monzo": CsvMapping(
        date="created",
        amount="amount",
        payer="description",
        reference="notes",
        currency="currency",
        bank_id="id",
    ),
    # BBVA: Fecha;Fecha valor;Concepto;Movimiento;Importe;Divisa;Disponible;Divisa;Observaciones
    "bbva": CsvMapping(
        date="Fecha",
        value_date="Fecha valor",
        amount="Importe",
        payer="Movimiento",
        reference="Concepto",
        currency="Divisa",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # Santander: FECHA OPERACIÓN;FECHA VALOR;CONCEPTO;IMPORTE EUR;SALDO
    "santander": CsvMapping(
        date="FECHA OPERACIÓN",
        value_date="FECHA VALOR",
        amount="IMPORTE EUR",
        payer=None,
        reference="CONCEPTO",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # CaixaBank (CaixaBankNow "Movimientos" CSV): a preamble (account, "Importes expresados en euros"), then
    # Fecha;Fecha valor;Movimiento;Más datos;Importe;Saldo — Movimiento says what happened ("TRANSF DE …",
    # "Transferencia recibida"), Más datos the concept or the other party
    "caixabank": CsvMapping(
        date="Fecha",
        value_date="Fecha valor",
        amount="Importe",
        payer="Movimiento",
        reference="Más datos",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
    # Sabadell: a preamble (account, holder, period), then
    # F. Operativa;Concepto;F. Valor;Importe;Saldo;Referencia 1;Referencia 2
    "sabadell": CsvMapping(
        date="F. Operativa",
        value_date="F. Valor",
        amount="Importe",
        payer=None,
        reference="Concepto",
        date_format="%d/%m/%Y",
        delimiter=";",
        decimal_comma=True,
    ),
}
# Detection tries the most specific layouts first: "generic" and "eu" are last resorts.
DETECTION_ORDER = [name for name in PRESETS if name not in ("generic", "eu")] + ["eu", "generic"]
