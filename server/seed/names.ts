/** Word lists for realistic demo data. */
export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'Lucas', 'Mia', 'Mateo',
  'Charlotte', 'Benjamin', 'Amelia', 'Henry', 'Harper', 'Theodore', 'Evelyn', 'Jack', 'Abigail', 'Levi',
  'Emily', 'Owen', 'Ella', 'Daniel', 'Grace', 'Samuel', 'Chloe', 'Leo', 'Nora', 'Julian', 'Zoe', 'Hugo',
  'Aisha', 'Kenji', 'Priya', 'Mohammed', 'Sofia', 'Diego', 'Ingrid', 'Tomasz', 'Fatima', 'Arjun', 'Hannah',
  'Marcus', 'Yuki', 'Gabriel', 'Rosa', 'Felix',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  'Scott', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Campbell', 'Mitchell',
  'Kowalski', 'Tanaka', 'Okafor', 'Haddad', 'Lindqvist', 'Murphy', 'Rossi', 'Schmidt',
] as const;

export const PET_NAMES = [
  'Bella', 'Max', 'Luna', 'Charlie', 'Lucy', 'Cooper', 'Daisy', 'Milo', 'Bailey', 'Buddy', 'Sadie', 'Rocky',
  'Molly', 'Bear', 'Stella', 'Tucker', 'Chloe', 'Duke', 'Penny', 'Oliver', 'Zoey', 'Leo', 'Coco', 'Winston',
  'Rosie', 'Teddy', 'Ruby', 'Murphy', 'Pepper', 'Biscuit', 'Ginger', 'Simba', 'Nala', 'Oscar', 'Willow',
  'Jasper', 'Maple', 'Ziggy', 'Pickles', 'Hazel', 'Mochi', 'Olive', 'Finn', 'Poppy', 'Gus', 'Kiwi', 'Shadow',
  'Pumpkin', 'Sunny', 'Noodle',
] as const;

export const SPECIES: readonly { species: string; breeds: readonly string[]; weight: number }[] = [
  { species: 'Dog', weight: 45, breeds: ['Labrador Retriever', 'Golden Retriever', 'German Shepherd', 'Beagle', 'Border Collie', 'Dachshund', 'French Bulldog', 'Poodle', 'Mixed breed'] },
  { species: 'Cat', weight: 38, breeds: ['Domestic Shorthair', 'Domestic Longhair', 'Maine Coon', 'Siamese', 'Ragdoll', 'Bengal', 'British Shorthair'] },
  { species: 'Rabbit', weight: 7, breeds: ['Holland Lop', 'Mini Rex', 'Netherland Dwarf'] },
  { species: 'Bird', weight: 5, breeds: ['Budgerigar', 'Cockatiel', 'African Grey'] },
  { species: 'Guinea pig', weight: 3, breeds: ['American', 'Abyssinian'] },
  { species: 'Ferret', weight: 2, breeds: ['Standard'] },
];

export const APPOINTMENT_KINDS: readonly { type: string; titles: readonly string[]; durations: readonly number[]; weight: number }[] = [
  { type: 'checkup', titles: ['Annual checkup', 'Wellness exam', 'Senior wellness exam'], durations: [20, 30], weight: 30 },
  { type: 'vaccination', titles: ['Vaccination', 'Booster shots', 'Rabies vaccination'], durations: [15, 20], weight: 22 },
  { type: 'follow_up', titles: ['Follow-up', 'Post-surgery check', 'Recheck skin condition'], durations: [15, 20, 30], weight: 15 },
  { type: 'dental', titles: ['Dental cleaning', 'Dental check'], durations: [45, 60], weight: 8 },
  { type: 'surgery', titles: ['Spay surgery', 'Neuter surgery', 'Mass removal'], durations: [60, 90, 120], weight: 6 },
  { type: 'consultation', titles: ['Behaviour consultation', 'Nutrition consultation', 'Limping'], durations: [30, 45], weight: 12 },
  { type: 'emergency', titles: ['Emergency visit', 'Ate something odd', 'Vomiting'], durations: [30, 60], weight: 7 },
];

export const NOTES = [
  'Bring previous vaccination records.',
  'Nervous with strangers; use the quiet room.',
  'Fasting from midnight.',
  'Owner asked about flea treatment.',
  'Check weight; on a diet.',
  'Needs a nail trim as well.',
  'Allergic to chicken.',
  'Second opinion requested.',
] as const;

export function weighted<T extends { weight: number }>(items: readonly T[], roll: number): T {
  const total = items.reduce((sum, i) => sum + i.weight, 0);
  let left = roll * total;
  for (const item of items) {
    left -= item.weight;
    if (left < 0) return item;
  }
  const last = items.at(-1);
  if (last === undefined) throw new Error('weighted pick from an empty list');
  return last;
}
