/** Layout shared by the record forms (appointment, client, pet). */
import { css } from 'lit';

export const formStyles = css`
  :host {
    display: block;
  }
  form {
    display: flex;
    flex-direction: column;
    gap: var(--sd-space-4);
    max-width: 1000px;
  }
  .heading {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--sd-space-3);
  }
  /* Two columns from portrait tablets up; one on anything narrower. */
  .grid {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--sd-space-4);
  }
  .grid.three {
    grid-template-columns: repeat(3, minmax(0, 1fr));
  }
  .grid .wide {
    grid-column: 1 / -1;
  }
  @media (max-width: 600px) {
    .grid,
    .grid.three {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .reference {
    color: var(--sd-color-text-muted);
    margin: 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--sd-space-3);
    align-items: center;
    border-top: 1px solid var(--sd-color-border-subtle);
    padding-top: var(--sd-space-4);
  }
  /* Cancel, delete: apart from Save, at the end of the row. */
  .record-actions {
    margin-inline-start: auto;
    display: flex;
    gap: var(--sd-space-2);
    flex-wrap: wrap;
  }
  .back {
    align-self: flex-start;
    padding-inline-start: var(--sd-space-2);
  }
  .empty {
    color: var(--sd-color-text-muted);
  }
`;
