"""The CSV layouts banks export, as presets detected from the header row.

Where each layout comes from is in tests/fixtures/banks/README.md: the column names are those of the
banks' exports as read by public open-source importers (firefly-iii/import-configurations and the
parsers listed there); none was taken from a bank's own published specification.
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
    # N26 since 2023: "Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference",…
    "n26-2023": CsvMapping(
        date="Booking Date",
        value_date="Value Date",
        amount="Amount (EUR)",
        payer="Partner Name",
        payer_iban="Partner Iban",
        reference="Payment Reference",
    ),
    # ING Deutschland: a preamble, then Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;
    # Verwendungszweck;Saldo;Währung;Betrag;Währung (the last Währung is the amount's)
    "ing-de": CsvMapping(
        date="Buchung",
        value_date="Valuta",
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
    # bunq: "Date";"Interest Date";"Amount";"Account";"Counterparty";"Name";"Description"
    "bunq": CsvMapping(
        date="Date",
        value_date="Interest Date",
        amount="Amount",
        payer="Name",
        payer_iban="Counterparty",
        reference="Description",
        delimiter=";",
        decimal_comma=True,
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
